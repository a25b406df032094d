// @ts-self-types="./worker-modules.d.ts"
// The compiled WebAssembly modules the Worker imports (wrangler.toml's CompiledWasm rule turns each .wasm
// import into a WebAssembly.Module at upload). Plain JS with separate typings, so `deno check` never reads
// the binaries as TypeScript sources.
export { default as tfjsSimd } from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-simd.wasm';
export { default as png } from 'imagescript/wasm/any/png.wasm';
export { default as jpeg } from 'imagescript/wasm/any/jpeg.wasm';
export { default as webp } from '@jsquash/webp/codec/dec/webp_dec.wasm';
