/** tfjs-backend-wasm 4.22.0's SIMD binary, compiled by the Workers runtime. */
export declare const tfjsSimd: WebAssembly.Module;
/** imagescript 1.3.1's portable PNG codec. */
export declare const png: WebAssembly.Module;
/** imagescript 1.3.1's portable JPEG codec. */
export declare const jpeg: WebAssembly.Module;
/** @jsquash/webp 1.5.0's libwebp decoder. */
export declare const webp: WebAssembly.Module;
