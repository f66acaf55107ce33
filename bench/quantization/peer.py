"""The peer column of bench/quantization: onnxruntime's own Python quantizer on the models Tierwise quantizes.

Run by bench/quantization/main.ts inside the bench-only venv (peer-setup.sh). Reads a jobs file (JSON list of
{model, out, kind: static|dynamic, config: default|x86, calib}) and writes one quantized model per job, printing
one JSON line per job with the exact arguments used (or the error) so the bench records them next to the figures.
Calibration samples are `<calib>/<i>/<input>.npy`, written by the bench from the same samples Tierwise calibrates on.
"""
import json
import os
import sys
import tempfile
import traceback

import numpy as np
import onnxruntime
from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_dynamic, quantize_static
from onnxruntime.quantization.shape_inference import quant_pre_process


class NpyReader(CalibrationDataReader):
    def __init__(self, folder):
        self.samples = []
        for sample in sorted(os.listdir(folder), key=int):
            d = os.path.join(folder, sample)
            self.samples.append({f[:-4]: np.load(os.path.join(d, f)) for f in os.listdir(d) if f.endswith(".npy")})
        self.it = iter(self.samples)

    def get_next(self):
        return next(self.it, None)

    def rewind(self):
        self.it = iter(self.samples)


def run(job):
    src, out = job["model"], job["out"]
    args = {}
    pre = False
    if job["config"] == "x86":
        # onnxruntime's documented x86 recipe: pre-process (symbolic shape inference + graph optimisation), QDQ,
        # uint8 activations, int8 per-channel weights.
        tmp = out + ".pre.onnx"
        try:
            quant_pre_process(src, tmp)
            src, pre = tmp, True
        except Exception as error:  # recorded, quantizes the raw model instead
            args["preProcessError"] = str(error)[:300]
    if job["kind"] == "static":
        reader = NpyReader(job["calib"])
        if job["config"] == "x86":
            kw = dict(quant_format=QuantFormat.QDQ, activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8, per_channel=True)
        else:
            kw = {}
        quantize_static(src, out, reader, **kw)
        args.update({k: str(v) for k, v in kw.items()})
        args["calibrationSamples"] = len(reader.samples)
    else:
        kw = dict(weight_type=QuantType.QInt8, per_channel=True) if job["config"] == "x86" else {}
        quantize_dynamic(src, out, **kw)
        args.update({k: str(v) for k, v in kw.items()})
    if pre:
        os.remove(src)
    return {"preProcess": pre, "args": args}


def main():
    jobs = json.load(open(sys.argv[1]))
    for job in jobs:
        try:
            result = {"ok": True, **run(job)}
        except Exception as error:
            result = {"ok": False, "error": f"{type(error).__name__}: {error}"[:500], "trace": traceback.format_exc()[-800:]}
        print(json.dumps({"out": job["out"], "onnxruntime": onnxruntime.__version__, **result}), flush=True)


if __name__ == "__main__":
    main()
