/** Types of static/page/roi.js (plain browser JavaScript) for the tests that import it. */
export interface Box { x: number; y: number; width: number; height: number }
export function roiParam(box: Box): string;
export function fitBox(box: Box, width: number, height: number): Box;
export function boxAfterKey(box: Box, key: string, shift: boolean, step: number): Box | null;
