import type { ModelArtifacts } from '../model/classifier.ts';
import { modelFingerprint } from './fingerprint.ts';
import { Gate } from './gate.ts';

/**
 * The gate for these model files, or undefined (answers then carry no inputCheck) when the bundle has no
 * gate.json or its gate was fitted on other weights; the latter is logged, as it means fit-gate was not re-run.
 */
export async function loadGate(json: unknown, artifacts: ModelArtifacts, featureDim: number | null): Promise<Gate | undefined> {
  if (json === undefined || json === null) return undefined;
  const gate = Gate.fromJson(json);
  const fingerprint = await modelFingerprint(artifacts);
  if (gate.json.model.fingerprint !== fingerprint || gate.featureDim !== featureDim) {
    console.warn(JSON.stringify({
      event: 'gate_ignored',
      reason: 'gate.json was fitted on another model; re-run npm run fit-gate',
      gateModel: gate.json.model.fingerprint,
      model: fingerprint,
    }));
    return undefined;
  }
  return gate;
}
