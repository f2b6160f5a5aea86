"""scikit-learn's RandomForest fit and predict times on the same rows Updraft uses: reads a JSON job
{"datasets": {name: {"xTrain", "yTrain", "xTest", "yTest"}}, "repeats", "n_jobs"} on stdin, prints JSON timings."""
import json
import sys
import time

import numpy as np
from sklearn.ensemble import RandomForestClassifier

job = json.load(sys.stdin)
out = {}
for name, d in job["datasets"].items():
    X_train, y_train = np.asarray(d["xTrain"]), np.asarray(d["yTrain"])
    X_test, y_test = np.asarray(d["xTest"]), np.asarray(d["yTest"])
    fits, predicts, acc = [], [], None
    for _ in range(job["repeats"]):
        m = RandomForestClassifier(n_estimators=100, random_state=42, n_jobs=job["n_jobs"])
        t = time.perf_counter()
        m.fit(X_train, y_train)
        fits.append(time.perf_counter() - t)
        t = time.perf_counter()
        pred = m.predict(X_test)
        predicts.append(time.perf_counter() - t)
        acc = float((pred == y_test).mean())
    out[name] = {"fitSeconds": fits, "predictSeconds": predicts, "accuracy": acc}
import sklearn
print(json.dumps({"sklearn": sklearn.__version__, "results": out}))
