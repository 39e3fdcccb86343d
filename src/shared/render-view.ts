import { fileURLToPath } from 'node:url';
import ejs from 'ejs';

const VIEWS = fileURLToPath(new URL('../../views/', import.meta.url));

/** Renders views/<name>.ejs. `<%= %>` escapes every reflected value; templates use nothing else for data. */
export async function renderView(name: string, data: Record<string, unknown>): Promise<string> {
  return ejs.renderFile(`${VIEWS}${name}.ejs`, data, { async: false, cache: true, root: VIEWS });
}
