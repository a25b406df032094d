/**
 * A Worker for bench/workerd-parts.ts only (never deployed): the served predictor, built exactly as src/worker.ts
 * builds it, plus one route that runs a single part of a /predict request `k` times on the POSTed image bytes, so
 * the driver can read each part's CPU from outside (workerd's clock does not advance during computation). Parts:
 * multipart, seen, decode, unfilter (a common PNG's decode on already inflated data: decode − unfilter is the
 * inflate), preprocess, stats, inference (one forward pass with the gate's features), pipeline
 * (predictMany: everything a /predict does between reading the form and writing the answer); none = k is ignored.
 */
import { createPredictor } from '../src/create-predictor.ts';
import { limitsFromEnv } from '../src/config.ts';
import { createDecoders } from '../src/image/codecs.ts';
import { decodeImage } from '../src/image/decode.ts';
import { readCommonPng } from '../src/image/png-reader.ts';
import { toModelInput } from '../src/image/preprocess.ts';
import { streamInflate } from '../src/image/stream-inflate.ts';
import { readMultipart } from '../src/routes/multipart.ts';
import { imageStats } from '../src/gate/stats.ts';
import { CODEC_MODULES, GATE_JSON, MODEL_CARD, modelArtifacts, SEEN_HASHES, TFJS_SIMD_MODULE } from '../src/runtime/worker-assets.ts';
import { startWorkerWasmBackend } from '../src/runtime/worker-tf.ts';
import type { Predictor } from '../src/predictor.ts';

let predictor: Promise<Predictor> | undefined;

export default {
  async fetch(request: Request, env: Record<string, string>): Promise<Response> {
    predictor ??= startWorkerWasmBackend(TFJS_SIMD_MODULE).then(() =>
      createPredictor(modelArtifacts(), MODEL_CARD, createDecoders(CODEC_MODULES), SEEN_HASHES, GATE_JSON)
    );
    const p = await predictor;
    const query = new URL(request.url).searchParams;
    const part = query.get('part') ?? 'none';
    const k = Number(query.get('k') ?? 1);
    const limits = limitsFromEnv(env);
    // The body is a multipart form with the image in `image`, as /predict takes it.
    const copy = request.clone();
    const bytes = (await readMultipart(request, limits.maxBodyBytes, ['image'])).files.get('image')![0];
    const spec = p.classifier.inputSpec;
    const raster = await decodeImage(bytes, p.decoders, { limits, atLeast: spec });
    const input = toModelInput(raster, spec);
    // The image's inflated IDAT data, for `unfilter` (the reader does not modify it).
    let inflated: Uint8Array | undefined;
    if (part === 'unfilter') await readCommonPng(bytes, async (zlib, size) => (inflated = await streamInflate(zlib, size)));
    let sink = 0;
    for (let i = 0; i < k; i++) {
      if (part === 'multipart') sink += (await readMultipart(copy.clone(), limits.maxBodyBytes, ['image'])).files.size;
      else if (part === 'seen') sink += Number(await p.seen!.contains(bytes));
      else if (part === 'decode') sink += (await decodeImage(bytes, p.decoders, { limits, atLeast: spec })).width;
      else if (part === 'unfilter') sink += inflated ? (readCommonPng(bytes, () => inflated!) as { width: number }).width : 0;
      else if (part === 'preprocess') sink += toModelInput(raster, spec)[0];
      else if (part === 'stats') sink += imageStats(raster, input, spec)[0];
      else if (part === 'inference') sink += p.classifier.classifyWithFeatures([input], false).probabilities[0];
      else if (part === 'pipeline') sink += (await p.predictMany([bytes], limits)).length;
    }
    return new Response(JSON.stringify({ part, k, sink }), { headers: { 'content-type': 'application/json' } });
  },
};
