#!/usr/bin/env bash
# Builds @tensorflow/tfjs-node's native binding without internet access.
#
# Why: tfjs-node's own install step downloads libtensorflow from a Google bucket, which air-gapped
# hospital networks (and these build machines) cannot reach. The same C library ships inside the
# tensorflow-cpu Python wheel, which a local wheel index or a copied file can provide.
#
# `npm run train` runs this first (package.json "pretrain"); it returns at once when the binding loads.
#
# Usage: scripts/install-tfjs-node-offline.sh [path/to/tensorflow_cpu-*.whl]
#   TF_WHEEL=...            wheel to use (else the argument, else `pip download` into the cache)
#   TF_WHEEL_VERSION=2.21.0 version that `pip download` asks for
#   TFJS_OFFLINE_CACHE=...  where the wheel is cached (default ~/.cache/breast-tumour-classifier)
# Serving never needs this: only training and evaluation use tfjs-node.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
pkg="$root/node_modules/@tensorflow/tfjs-node"
[ -d "$pkg" ] || { echo "error: $pkg missing; run 'npm install' first" >&2; exit 1; }

check() { (cd "$root" && node -e "const tf=require('@tensorflow/tfjs-node');const s=tf.tensor([1,2,3]).sum().dataSync()[0];if(s!==6)process.exit(3);console.log('tfjs-node OK, backend', tf.getBackend(), 'TF', tf.version.tfjs)") 2>/dev/null; }
if [ "${FORCE:-0}" != 1 ] && check; then exit 0; fi
echo "* tfjs-node's native binding is not built yet: building it offline from the tensorflow-cpu wheel (once)"

version="${TF_WHEEL_VERSION:-2.21.0}"
cache="${TFJS_OFFLINE_CACHE:-$HOME/.cache/breast-tumour-classifier}"
wheel="${1:-${TF_WHEEL:-}}"
if [ -z "$wheel" ]; then
  wheel="$(ls "$cache"/tensorflow_cpu-"$version"-*.whl 2>/dev/null | head -n1 || true)"
fi
if [ -z "$wheel" ]; then
  mkdir -p "$cache"
  echo "* fetching tensorflow-cpu==$version wheel with pip (local index) into $cache"
  python3 -m pip download --quiet --no-deps --only-binary=:all: -d "$cache" "tensorflow-cpu==$version"
  wheel="$(ls "$cache"/tensorflow_cpu-"$version"-*.whl | head -n1)"
fi
echo "* taking libtensorflow from $wheel"

deps="$pkg/deps"
rm -rf "$deps" && mkdir -p "$deps/lib" "$deps/include"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
python3 - "$wheel" "$tmp" <<'PY'
import sys, zipfile
wheel, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(wheel) as z:
    for n in z.namelist():
        if n in ("tensorflow/libtensorflow_cc.so.2", "tensorflow/libtensorflow_framework.so.2") \
           or (n.startswith("tensorflow/include/") and n.endswith(".h")):
            z.extract(n, out)
PY
mv "$tmp/tensorflow/libtensorflow_cc.so.2" "$tmp/tensorflow/libtensorflow_framework.so.2" "$deps/lib/"
cp -r "$tmp/tensorflow/include/." "$deps/include/"
# The C API lives in libtensorflow_cc in the Python wheel; the binding links -ltensorflow.
ln -sf libtensorflow_cc.so.2 "$deps/lib/libtensorflow.so.2"
ln -sf libtensorflow.so.2 "$deps/lib/libtensorflow.so"
ln -sf libtensorflow_framework.so.2 "$deps/lib/libtensorflow_framework.so"
# tfjs-node's install.js skips its download only when it finds the names of the version it expects.
expected="$(cd "$pkg" && node -p "require('./scripts/deps-constants.js').LIBTENSORFLOW_VERSION")"
ln -sf libtensorflow_cc.so.2 "$deps/lib/libtensorflow.so.$expected"
ln -sf libtensorflow_framework.so.2 "$deps/lib/libtensorflow_framework.so.$expected"

echo "* building the tfjs-node binding with node-gyp (a minute or two)"
# node-pre-gyp comes with tfjs-node; node-gyp comes with npm (as npm itself runs install scripts).
# node-gyp must build against the local Node headers (npm's `nodedir`), not download them.
nodedir="$(npm config get nodedir 2>/dev/null || true)"
if [ -z "$nodedir" ] || [ "$nodedir" = undefined ] || [ "$nodedir" = null ]; then
  nodedir="$(dirname "$(dirname "$(command -v node)")")"
fi
[ -f "$nodedir/include/node/node_api.h" ] || { echo "error: no Node headers under $nodedir/include/node (install nodejs headers)" >&2; exit 1; }
export npm_config_nodedir="$nodedir"
export PATH="$root/node_modules/.bin:$(npm root -g)/npm/bin/node-gyp-bin:$PATH"
(cd "$pkg" && node scripts/install.js)
check || { echo "error: tfjs-node binding built but does not load" >&2; exit 1; }
