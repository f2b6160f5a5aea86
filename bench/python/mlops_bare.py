"""The tutorial's four task functions in bare Python (pandas + scikit-learn), run in a row: the baseline that
`npm run bench` times against `updraft dags test mlops_pipeline`. Output goes to the folder given as argv[1]."""
import os
import sys

import pandas as pd
from sklearn.datasets import load_iris
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import accuracy_score, classification_report, confusion_matrix
from sklearn.model_selection import train_test_split
import joblib

BASE = sys.argv[1]
DATA = os.path.join(BASE, "data", "iris.csv")
MODEL = os.path.join(BASE, "models", "model.pkl")
REPORT = os.path.join(BASE, "report", "model_accuracy_report.md")


def preprocess_data():
    iris = load_iris()
    df = pd.DataFrame(iris.data, columns=iris.feature_names)
    df["target"] = iris.target
    df = df.dropna()
    os.makedirs(os.path.dirname(DATA), exist_ok=True)
    df.to_csv(DATA, index=False)


def split():
    df = pd.read_csv(DATA)
    X = df.drop(columns=["target"])
    y = df["target"]
    return train_test_split(X, y, test_size=0.2, random_state=42)


def train_model():
    X_train, X_test, y_train, y_test = split()
    model = RandomForestClassifier(n_estimators=100, random_state=42)
    model.fit(X_train, y_train)
    os.makedirs(os.path.dirname(MODEL), exist_ok=True)
    joblib.dump(model, MODEL)


def evaluate_model():
    X_train, X_test, y_train, y_test = split()
    model = joblib.load(MODEL)
    pred = model.predict(X_test)
    return accuracy_score(y_test, pred), confusion_matrix(y_test, pred), classification_report(y_test, pred)


def generate_report(accuracy, matrix, report):
    os.makedirs(os.path.dirname(REPORT), exist_ok=True)
    with open(REPORT, "w") as f:
        f.write(f"# Model accuracy report\n\nAccuracy: {accuracy}\n\n{matrix}\n\n{report}\n")


preprocess_data()
train_model()
generate_report(*evaluate_model())
