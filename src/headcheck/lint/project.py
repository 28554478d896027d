"""The Keras version a file runs under: pinned in the file, pinned by its project, or told by the
API spellings it uses.

Order of evidence: a pin written in the file (`# keras==2.2.4`, `!pip install keras==2.2.4` in a
notebook); a pin in the project's files next to or above it (`requirements*.txt`, `pyproject.toml`,
`setup.py`, `setup.cfg`, `environment.yml`, `Pipfile`) of the nearest directory above it that has
any (a nested project is its own project), up to the repository root; then the API era: Keras 1 spellings (`nb_epoch=`, `nb_filter=`, `border_mode=`,
`init=`, `W_regularizer=`, `output_dim=` ...) mean Keras 1.x, Keras 3 modules (`keras.ops`,
`keras.config`, `keras.saving`) mean Keras 3. Each result names its evidence, and the findings
that depend on the version quote it.

Keras 2 spellings (`lr=`, `fit_generator`) only rule out Keras 3; they do not decide how Keras 2
resolved `'accuracy'` (2.0-2.3 and 2.4+ differ), so they are not used as a version.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache

_PIN_FILES = ("requirements.txt", "pyproject.toml", "setup.py", "setup.cfg", "environment.yml", "environment.yaml",
              "Pipfile")
_PACKAGE = r"(keras|tensorflow(?:-cpu|-gpu|-macos)?|tf-keras|tf_keras)"
# a requirement: the package, optional extras, then its version spec, bare (`keras==2.2.4`, conda's
# `keras=2.2.4`) or quoted after `=` / `:` (pyproject / Pipfile / poetry: `keras = "^2.3"`)
_REQUIREMENT = re.compile(
    r"(?<![\w.-])" + _PACKAGE + r"(?![\w-])\s*(?:\[[^\]]*\])?\s*(?:[=:]\s*[\"']|[\"']\s*:\s*[\"'])?\s*"
    r"((?:[<>=!~^]=?=?\s*\d[\w.*]*\s*,?\s*)+|\d[\d.]*)",
    re.IGNORECASE,
)
_SPEC = re.compile(r"(===|==|~=|<=|>=|!=|<|>|=|\^|~)?\s*(\d+(?:\.\d+){0,2})")
_IN_FILE_PIN = re.compile(r"\b(keras|tensorflow(?:-cpu|-gpu)?|tf-keras)\s*==\s*(\d+(?:\.\d+){0,2})")
_MAX_UP = 12


@dataclass(frozen=True)
class Version:
    """A framework version and the evidence for it (quoted in findings)."""

    framework: str  # 'keras' | 'tf.keras'
    version: str
    evidence: str


@dataclass(frozen=True)
class ProjectPins:
    """The Keras / TensorFlow versions a project's files pin."""

    pins: tuple[Version, ...] = ()

    def for_framework(self, framework: str | None) -> Version | None:
        """The pin that decides `framework`: a keras pin for standalone Keras (or TensorFlow >= 2.16,
        which ships Keras 3), a tensorflow / tf-keras pin for tf.keras."""
        for pin in self.pins:
            if pin.framework == framework:
                return pin
        if framework == "keras":
            for pin in self.pins:
                if pin.framework == "tf.keras" and _tuple(pin.version) >= (2, 16) and "tf-keras" not in pin.evidence:
                    return Version("keras", "3", f"{pin.evidence} (TensorFlow 2.16+ ships Keras 3)")
        return None


def _tuple(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", version)[:3])


def representative(spec: str, framework: str) -> str | None:
    """One version standing for a requirement, when every version it allows resolves 'accuracy' the
    same way (one version family): `==2.2.4`; `>=2.0,<2.2`; `~=2.2.4`; `>=2.4` for Keras (all
    later versions are shape-based). None when the range spans two families (`>=2.0`, `^2.3`)."""
    from headcheck.resolution import version_family

    lower: tuple[int, ...] | None = None
    upper: tuple[int, ...] | None = None  # exclusive
    for op, version in _SPEC.findall(spec):
        v = _tuple(version)
        if not v:
            continue
        if op in ("", "==", "===", "="):
            return version
        if op in (">=", ">"):
            lower = v
        elif op == "<":
            upper = v
        elif op == "<=":
            upper = v[:-1] + (v[-1] + 1,)
        elif op in ("~=", "~", "^"):
            lower = v
            # ~=2.2.4 / ~2.2.4: below 2.3; ~=2.2: below 3; ^2.3.1: below 3
            cut = len(v) - 1 if op == "~=" else (2 if op == "~" and len(v) > 2 else 1)
            cut = max(1, cut)
            upper = v[: cut - 1] + (v[cut - 1] + 1,)
    if lower is None and upper is None:
        return None
    low = ".".join(map(str, lower)) if lower else "0.1"
    high = _just_below(upper) if upper else "99"
    if version_family(framework, low) != version_family(framework, high):
        return None
    return low if lower else high


def _just_below(bound: tuple[int, ...]) -> str:
    parts = list(bound)
    for i in range(len(parts) - 1, -1, -1):
        if parts[i] > 0:
            parts[i] -= 1
            return ".".join(str(p) for p in parts[: i + 1]) + ".999"
    return "0"


def _framework(package: str) -> str:
    return "keras" if package.lower() == "keras" else "tf.keras"


def pins_in_requirements(text: str, source: str) -> list[Version]:
    """Pins of keras / tensorflow / tf-keras in any of the project file formats."""
    out: dict[str, Version] = {}
    for line in text.splitlines():
        if line.lstrip().startswith("#"):
            continue
        for match in _REQUIREMENT.finditer(line):
            package, spec = match.group(1), match.group(2)
            framework = _framework(package)
            version = representative(spec, framework)
            if version is None or framework in out:
                continue
            spelled = " ".join(f"{package}{spec}".split()).rstrip(",")
            out[framework] = Version(framework, version, f"pinned in {source} (`{spelled}`)")
    return list(out.values())


@lru_cache(maxsize=4096)
def project_pins(directory: str) -> ProjectPins:
    """The pins of the nearest project files above `directory` (cached per directory)."""
    current = os.path.abspath(directory)
    for _ in range(_MAX_UP):
        found = _pins_here(current)
        if found is not None:  # the nearest project: its files decide, pins or not
            return ProjectPins(tuple(found))
        if os.path.exists(os.path.join(current, ".git")):
            break
        parent = os.path.dirname(current)
        if parent == current:
            break
        current = parent
    return ProjectPins()


def _pins_here(directory: str) -> list[Version] | None:
    """The pins of the project files in `directory`; None when it holds none."""
    try:
        names = os.listdir(directory)
    except OSError:
        return None
    candidates = [n for n in names if n in _PIN_FILES or (n.startswith("requirements") and n.endswith((".txt", ".in")))]
    if not candidates:
        return None
    found: dict[str, Version] = {}
    for name in sorted(candidates, key=lambda n: (n != "requirements.txt", n)):
        path = os.path.join(directory, name)
        try:
            if not os.path.isfile(path) or os.path.getsize(path) > 1_000_000:
                continue
            with open(path, encoding="utf-8", errors="replace") as fh:
                text = fh.read()
        except OSError:
            continue
        for pin in pins_in_requirements(text, name):
            found.setdefault(pin.framework, pin)
    return list(found.values())


def pins_in_file(text: str) -> dict[str, set[str]]:
    """`framework -> versions` pinned in the file itself (comments, `!pip install` lines)."""
    pins: dict[str, set[str]] = {}
    # only around each `==` (a search of the whole text costs more than the analysis of a file)
    at = text.find("==")
    while at != -1:
        for name, version in _IN_FILE_PIN.findall(text, max(0, at - 24), at + 16):
            pins.setdefault("keras" if name == "keras" else "tf.keras", set()).add(version)
        at = text.find("==", at + 2)
    return pins


# Keras 1 argument names, renamed in Keras 2.0 (`init=` -> `kernel_initializer=`, `nb_epoch=` ->
# `epochs=` ...): on a Keras layer / `fit` call they mean Keras 1.x.
KERAS1_LAYER_KEYWORDS = frozenset({"init", "subsample", "nb_filter", "nb_row", "nb_col", "border_mode",
                                   "W_regularizer", "b_regularizer", "W_constraint", "b_constraint"})
KERAS1_DENSE_KEYWORDS = frozenset({"output_dim"})  # Embedding keeps its output_dim in Keras 2
KERAS1_FIT_KEYWORDS = frozenset({"nb_epoch", "samples_per_epoch", "nb_val_samples"})
# Keras 3 modules
KERAS3_MODULES = ("keras.ops", "keras.config", "keras.saving", "keras.random", "keras.tree")
ERA_VERSIONS = {"Keras 1": "1.2", "Keras 3": "3"}


def era(evidence: list[tuple[str, str, int]], framework: str | None) -> Version | None:
    """The Keras version the API spellings of the file imply (the interpreter collects them as
    (era, spelling, line) from Keras calls), quoting the spelling and its line."""
    if framework != "keras" or not evidence:
        return None
    title, spelled, line = min(evidence, key=lambda e: (e[0] != "Keras 1", e[2]))
    return Version("keras", ERA_VERSIONS[title], f"taken as {title} from `{spelled}` (line {line}); "
                                                 "nothing pins the version")
