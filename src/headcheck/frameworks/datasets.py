"""Data sources whose labels are known without reading any data.

Each entry says what a loader gives as labels: their encoding ('integer' class indices,
'multi-hot' rows, 'continuous' regression targets), the number of classes, and the smallest and
largest label value. The linter uses them to check a head against the labels it is trained on
(a 100-class dataset into 10 outputs, 1-based letters into 26 outputs, house prices into a sigmoid).
Figures are those of the loaders' documentation.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LabelSource:
    """What a data source gives as labels."""

    name: str
    encoding: str  # 'integer' | 'multi-hot' | 'continuous'
    k: int | None  # classes (labels for multi-hot); None for continuous targets
    lo: float | None
    hi: float | None

    @property
    def integer(self) -> bool:
        return self.encoding != "continuous"


def _classes(name: str, k: int, first: int = 0) -> LabelSource:
    return LabelSource(name, "integer", k, first, first + k - 1)


# keras.datasets / tf.keras.datasets: `<name>.load_data()` -> (x_train, y_train), (x_test, y_test)
KERAS_DATASETS = {
    "mnist": _classes("keras.datasets.mnist", 10),
    "fashion_mnist": _classes("keras.datasets.fashion_mnist", 10),
    "cifar10": _classes("keras.datasets.cifar10", 10),
    "cifar100": _classes("keras.datasets.cifar100", 100),
    "imdb": _classes("keras.datasets.imdb", 2),
    "reuters": _classes("keras.datasets.reuters", 46),
    "boston_housing": LabelSource("keras.datasets.boston_housing", "continuous", None, 5.0, 50.0),
    "california_housing": LabelSource("keras.datasets.california_housing", "continuous", None, 14999.0, 500001.0),
}
# `cifar100.load_data(label_mode='coarse')`
KERAS_CIFAR100_COARSE = _classes("keras.datasets.cifar100 (coarse labels)", 20)

# scikit-learn loaders: `load_x(return_X_y=True)` -> (X, y); `load_x()` -> a Bunch with .target
SKLEARN_LOADERS = {
    "load_iris": _classes("sklearn load_iris", 3),
    "load_digits": _classes("sklearn load_digits", 10),
    "load_wine": _classes("sklearn load_wine", 3),
    "load_breast_cancer": _classes("sklearn load_breast_cancer", 2),
    "fetch_covtype": _classes("sklearn fetch_covtype (cover types 1..7)", 7, first=1),
    "fetch_20newsgroups": _classes("sklearn fetch_20newsgroups", 20),
    "fetch_20newsgroups_vectorized": _classes("sklearn fetch_20newsgroups_vectorized", 20),
    "fetch_olivetti_faces": _classes("sklearn fetch_olivetti_faces", 40),
    "fetch_rcv1": LabelSource("sklearn fetch_rcv1", "multi-hot", 103, 0, 1),
    "load_diabetes": LabelSource("sklearn load_diabetes", "continuous", None, 25.0, 346.0),
    "fetch_california_housing": LabelSource("sklearn fetch_california_housing", "continuous", None, 0.15, 5.0),
}
# scikit-learn generators -> (X, y): (keyword that sets the class count, its default)
SKLEARN_GENERATORS = {
    "make_classification": ("n_classes", 2),
    "make_blobs": ("centers", 3),
    "make_gaussian_quantiles": ("n_classes", 3),
    "make_moons": (None, 2),
    "make_circles": (None, 2),
}
SKLEARN_MULTILABEL_GENERATORS = {"make_multilabel_classification": ("n_classes", 5)}
# labels -1 / +1
SKLEARN_SIGNED_GENERATORS = frozenset({"make_hastie_10_2"})
SKLEARN_REGRESSION_GENERATORS = frozenset({"make_regression", "make_friedman1", "make_friedman2",
                                          "make_friedman3", "make_sparse_uncorrelated"})

# torchvision.datasets: dataset[i] -> (image, target)
TORCHVISION_DATASETS = {
    "MNIST": _classes("torchvision MNIST", 10),
    "FashionMNIST": _classes("torchvision FashionMNIST", 10),
    "KMNIST": _classes("torchvision KMNIST", 10),
    "QMNIST": _classes("torchvision QMNIST", 10),
    "USPS": _classes("torchvision USPS", 10),
    "SEMEION": _classes("torchvision SEMEION", 10),
    "CIFAR10": _classes("torchvision CIFAR10", 10),
    "CIFAR100": _classes("torchvision CIFAR100", 100),
    "SVHN": _classes("torchvision SVHN", 10),
    "STL10": _classes("torchvision STL10", 10),
    "EuroSAT": _classes("torchvision EuroSAT", 10),
    "GTSRB": _classes("torchvision GTSRB", 43),
    "DTD": _classes("torchvision DTD", 47),
    "Flowers102": _classes("torchvision Flowers102", 102),
    "Food101": _classes("torchvision Food101", 101),
    "OxfordIIITPet": _classes("torchvision OxfordIIITPet", 37),
    "Caltech101": _classes("torchvision Caltech101", 101),
    "StanfordCars": _classes("torchvision StanfordCars", 196),
    "Country211": _classes("torchvision Country211", 211),
    "FER2013": _classes("torchvision FER2013", 7),
    "PCAM": _classes("torchvision PCAM", 2),
    "RenderedSST2": _classes("torchvision RenderedSST2", 2),
    "ImageNet": _classes("torchvision ImageNet", 1000),
    "Places365": _classes("torchvision Places365", 365),
    "CelebA": LabelSource("torchvision CelebA (40 attributes)", "multi-hot", 40, 0, 1),
}
# EMNIST: the class count depends on `split`; 'letters' labels run 1..26 (index 0 is unused)
TORCHVISION_EMNIST = {
    "byclass": _classes("torchvision EMNIST byclass", 62),
    "bymerge": _classes("torchvision EMNIST bymerge", 47),
    "balanced": _classes("torchvision EMNIST balanced", 47),
    "letters": _classes("torchvision EMNIST letters (labels 1..26)", 26, first=1),
    "digits": _classes("torchvision EMNIST digits", 10),
    "mnist": _classes("torchvision EMNIST mnist", 10),
}
# datasets whose classes are the sub-directories: integer labels 0..K-1, K unknown
FOLDER_DATASETS = frozenset({"ImageFolder", "DatasetFolder"})

# Encoders of scikit-learn / pandas / the frameworks: what they turn labels into.
ONE_HOT_ENCODERS = frozenset({"to_categorical", "one_hot", "get_dummies"})
LABEL_TRANSFORMERS = {"LabelEncoder": "integer", "LabelBinarizer": "one-hot", "OneHotEncoder": "one-hot",
                      "MultiLabelBinarizer": "multi-hot", "OrdinalEncoder": "integer"}

# Functions that give values read at run time: a head fed by them cannot be decided.
READ_AT_RUN_TIME = frozenset({
    "read_csv", "read_excel", "read_json", "read_parquet", "read_table", "read_pickle", "read_sql",
    "read_feather", "read_hdf", "load", "loadtxt", "genfromtxt", "fromfile", "safe_load",
    "full_load", "loads", "imread", "image_dataset_from_directory", "text_dataset_from_directory",
    "flow_from_directory", "flow_from_dataframe", "load_dataset",
})
MODEL_LOADERS = frozenset({"load_model", "load_weights", "from_pretrained", "load_state_dict",
                           "model_from_json", "model_from_yaml", "model_from_config"})
