"""The original Flask + Keras API, rebuilt from its description (../shared/seed/README.md) for a timing baseline.

Only for bench/flask-baseline.ts: same request and answer shape as the original (multipart `image` on
POST /predict; `prediction` string, `description`, `classification`), same work per request (PIL opens the
upload, converts to RGB, resizes to 299x299, divides by 255, Keras `model.predict` on the CNN the README
describes: 2 conv layers of 32 and 64 3x3 filters, 2 max pools, flatten, dense 128 ReLU, dense 1 sigmoid).
The weights are untrained (seeded): the time per request does not depend on their values.

Usage: python app.py PORT
"""
import io
import sys

import numpy as np
import tensorflow as tf
from flask import Flask, jsonify, request
from PIL import Image

tf.keras.utils.set_random_seed(1)
model = tf.keras.Sequential([
    tf.keras.Input(shape=(299, 299, 3)),
    tf.keras.layers.Conv2D(32, (3, 3), activation="relu"),
    tf.keras.layers.MaxPooling2D((2, 2)),
    tf.keras.layers.Conv2D(64, (3, 3), activation="relu"),
    tf.keras.layers.MaxPooling2D((2, 2)),
    tf.keras.layers.Flatten(),
    tf.keras.layers.Dense(128, activation="relu"),
    tf.keras.layers.Dense(1, activation="sigmoid"),
])
model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])

app = Flask(__name__)


def describe(p):
    """Confidence wording by probability band, as the original's six-way explanation."""
    if p >= 0.9:
        return "Very high confidence that the tumor is malignant.", "Malignant"
    if p >= 0.75:
        return "High confidence that the tumor is malignant; strong evidence supporting malignancy.", "Malignant"
    if p >= 0.5:
        return "Moderate confidence that the tumor is malignant.", "Malignant"
    if p >= 0.25:
        return "Moderate confidence that the tumor is benign.", "Benign"
    if p >= 0.1:
        return "High confidence that the tumor is benign.", "Benign"
    return "Very high confidence that the tumor is benign.", "Benign"


@app.route("/health")
def health():
    return jsonify({"status": "ok"})


@app.route("/predict", methods=["POST"])
def predict():
    if "image" not in request.files:
        return jsonify({"error": "No image provided"}), 400
    image = Image.open(io.BytesIO(request.files["image"].read())).convert("RGB").resize((299, 299))
    batch = np.expand_dims(np.array(image) / 255.0, axis=0)
    p = float(model.predict(batch, verbose=0)[0][0])
    description, classification = describe(p)
    return jsonify({"prediction": f"{p:.2f}", "description": description, "classification": classification})


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(sys.argv[1]))
