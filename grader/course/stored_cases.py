"""Build the stored test cases in testcases/data/ (instructors only).

    python -m grader.course.stored_cases

A case whose input would give a graded function away (the cache of a
dropout forward pass, say) is stored as arrays instead of as code.
"""
from testcases import regularization
from utils.datasets import save_arrays

from grader import regularization as hidden_regularization


def build_regularization():
    X, _, parameters = regularization.forward_case()
    _, cache = hidden_regularization.dropout_forward(X, parameters, keep_prob=0.5)
    return regularization.CACHE_FILE, {f"dropout_{key}": value.astype(float) if value.dtype == bool else value
                                       for key, value in zip(regularization.DROPOUT_CACHE_KEYS, cache)}


BUILDERS = {"regularization": build_regularization}


def main():
    for build in BUILDERS.values():
        path, arrays = build()
        save_arrays(path, arrays)
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
