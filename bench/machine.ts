import { cpus, release, totalmem, type } from 'node:os';

export interface Machine {
  readonly cpuModel: string;
  readonly cpuCount: number;
  readonly totalMemoryGiB: number;
  readonly os: string;
  readonly node: string;
  readonly postgres: string;
}

export function describeMachine(postgres: string): Machine {
  const list = cpus();
  return {
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    cpuCount: list.length,
    totalMemoryGiB: totalmem() / 1024 ** 3,
    os: `${type()} ${release()}`,
    node: process.version,
    postgres,
  };
}
