// Types for the page's plain-JavaScript modules as the tests use them (the page itself has no build step).
// deno-lint-ignore-file no-explicit-any
export const BORDER: number;
export function regionName(fx: number, fy: number): string;
export function summariseHeatmap(heatmap: any, values: ArrayLike<number>, width: number, height: number, border?: number): any;
export function describeHeatmap(summary: any, side: string): string;
export const RECORD_FIELDS: string[];
export function sha256Hex(buffer: ArrayBuffer): Promise<string>;
export function resultRecord(args: { file: string; sha256: string; answer: any; time?: Date }): Record<string, unknown>;
export function recordsCsv(records: Record<string, unknown>[]): string;
export function downloadName(file: string, extension: string): string;
