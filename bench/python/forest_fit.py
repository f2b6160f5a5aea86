"""scikit-learn's side of the forest benchmark (bench/forest.ts), one process per measurement so that its peak
memory is its own.

    forest_fit.py make-data DIR     writes make_classification(n_samples=100000, n_features=20, n_informative=10,
                                    random_state=0) split 80/20 with random_state 42 as DIR/{xTrain,yTrain,xTest,yTest}.f64
    forest_fit.py fit DIR N_JOBS REPEATS
                                    fits RandomForestClassifier(n_estimators=100, random_state=42, n_jobs=N_JOBS) on
                                    the rows in DIR REPEATS times and prints JSON: fit (wall and CPU) and predict seconds, accuracy,
                                    the joblib file's size, peak RSS after the fits and predictions, versions.

The .f64 files are raw little-endian float64 arrays, rows one after another; DIR/shape.json gives the feature count.
"""
import json
import os
import resource
import sys
import tempfile
import time

import numpy as np


def load(d):
    shape = json.load(open(os.path.join(d, "shape.json")))
    nf = shape["nFeatures"]
    read = lambda name: np.fromfile(os.path.join(d, name + ".f64"), dtype="<f8")
    return read("xTrain").reshape(-1, nf), read("yTrain"), read("xTest").reshape(-1, nf), read("yTest")


def make_data(d):
    from sklearn.datasets import make_classification
    from sklearn.model_selection import train_test_split

    X, y = make_classification(n_samples=100000, n_features=20, n_informative=10, random_state=0)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=42)
    os.makedirs(d, exist_ok=True)
    for name, a in (("xTrain", X_train), ("yTrain", y_train), ("xTest", X_test), ("yTest", y_test)):
        np.ascontiguousarray(a, dtype="<f8").tofile(os.path.join(d, name + ".f64"))
    json.dump({"nFeatures": X.shape[1]}, open(os.path.join(d, "shape.json"), "w"))


def fit(d, n_jobs, repeats):
    import joblib
    import sklearn
    from sklearn.ensemble import RandomForestClassifier

    X_train, y_train, X_test, y_test = load(d)
    fits, cpus, predicts, acc, model = [], [], [], None, None
    for _ in range(repeats):
        model = RandomForestClassifier(n_estimators=100, random_state=42, n_jobs=n_jobs)
        t = time.perf_counter()
        c = time.process_time()
        model.fit(X_train, y_train)
        fits.append(time.perf_counter() - t)
        cpus.append(time.process_time() - c)
        t = time.perf_counter()
        pred = model.predict(X_test)
        predicts.append(time.perf_counter() - t)
        acc = float((pred == y_test).mean())
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux, before the model file is written
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "model.joblib")
        joblib.dump(model, path)
        size = os.path.getsize(path)
    blas = None
    try:
        from threadpoolctl import threadpool_info

        blas = [f"{i.get('internal_api')} {i.get('architecture')}" for i in threadpool_info()]
    except ImportError:
        pass
    print(json.dumps({
        "sklearn": sklearn.__version__,
        "fitSeconds": fits,
        "fitCpuSeconds": cpus,
        "predictSeconds": predicts,
        "accuracy": acc,
        "modelBytes": size,
        "peakRssMiB": peak_kib / 1024,
        "blas": blas,
    }))


if __name__ == "__main__":
    if sys.argv[1] == "make-data":
        make_data(sys.argv[2])
    elif sys.argv[1] == "fit":
        fit(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    else:
        raise SystemExit(f"unknown command {sys.argv[1]}")
