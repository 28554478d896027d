"""Source -> HeadSpecs, by a flow-sensitive reading of the syntax tree (the code is never imported
or run).

`headcheck.lint.interp` reads the module statement by statement with abstract values and records
where heads are put together (`compile`, `fit`, a loss applied to an output, an accuracy written by
hand, every model built); this module turns those records into HeadSpecs with locations, pairs
each with the labels it is trained on (as a TaskProfile / DataFacts when the source shows them), and
reports the heads it could not decide, with the reason.

What is followed: Keras / tf.keras of every era (Sequential lists and `add` chains, the functional
API, subclassed models, Keras 1 spellings), PyTorch and Lightning modules (`forward` ->
`training_step` / `validation_step` / a loss helper), raw TensorFlow 1 / 2 (`tf.nn.*` losses,
`tf.layers.dense`, `matmul` + bias, a softmax or a cross-entropy written by hand), losses and
metrics as strings, objects or functions, labels from data sources whose encoding is known, and
values through assignments, loops over literal collections, function calls and returns in the
same file. What is not: other files (imports of the project's own modules), values read from disk
or the command line at run time.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass, field, replace

from headcheck.findings import Location
from headcheck.head import HeadSpec, LossSpec, MetricSpec
from headcheck.lint.events import Compile, LossUse, MetricUse
from headcheck.lint.interp import Interpreter
from headcheck.lint.library import Library
from headcheck.lint.project import ProjectPins, Version, era, pins_in_file
from headcheck.lint.spelled import short
from headcheck.lint.values import (
    Const, Func, Labels, Layer, LossV, Mapping, MetricV, Obj, Ref, Seq, Tensor, Unknown, Value, unknown_why,
)
from headcheck.task import DataFacts, TaskProfile
from headcheck.vocab import normalize_loss, normalize_metric

_SPELLING_MAX = 80


@dataclass(frozen=True)
class SkippedHead:
    """A head lint found but could not decide, and why (`--show-skipped` lists them)."""

    location: Location
    reason: str

    def to_dict(self) -> dict:
        return {"location": self.location.to_dict(), "reason": self.reason}


@dataclass(frozen=True)
class LintHead:
    """A head and what the source shows about its labels, as the rules read them."""

    spec: HeadSpec
    task: TaskProfile | None = None
    data: DataFacts | None = None


@dataclass
class Analysis:
    heads: list[LintHead] = field(default_factory=list)
    skipped: list[SkippedHead] = field(default_factory=list)


class Locator:
    """AST positions -> Locations (1-based columns counted in characters, as ruff does)."""

    def __init__(self, filename: str, text: str) -> None:
        self.filename = filename
        self.lines = text.split("\n")

    def __call__(self, node: ast.AST | None) -> Location | None:
        if node is None or not hasattr(node, "lineno"):
            return None
        row, col = node.lineno, node.col_offset
        end_row, end_col = node.end_lineno or row, node.end_col_offset or col
        return Location(self.filename, row, self._char(row, col) + 1, end_row, self._char(end_row, end_col) + 1)

    def _char(self, row: int, col: int) -> int:
        line = self.lines[row - 1] if 0 < row <= len(self.lines) else ""
        if line.isascii():
            return col
        return len(line.encode("utf-8")[:col].decode("utf-8", "ignore"))


class SpecBuilder:
    """Turns the interpreter's records into HeadSpecs and skipped heads."""

    def __init__(self, ip: Interpreter, filename: str, text: str, raw: str, project: ProjectPins | None) -> None:
        self.ip = ip
        self.loc = Locator(filename, text)
        self._file_pins = pins_in_file(raw or text)
        self.keras_framework = self._keras_framework(raw or text)
        self.version = self._version(raw or text, project)
        self.out: list[LintHead] = []
        self._seen: set[object] = set()
        self.skipped: dict[int, SkippedHead] = {}
        self.decided: set[int] = set()
        self.used: set[int] = set()  # ids of act / units nodes of heads paired with a loss
        self._only_torch: Tensor | bool | None = None
        self._metrics_by_key: dict | None = None
        self._task_of_units: dict[int, str] = {}

    # -- frameworks and versions ----------------------------------------------------------------------------
    def _modules(self) -> list[str]:
        return list(self.ip.imports.values()) + self.ip.star_modules

    def _keras_framework(self, text: str) -> str | None:
        mods = self._modules()
        if any(m == "keras" or m.startswith("keras.") for m in mods):
            return "keras"
        if any(m.split(".")[0] in ("tensorflow", "tf_keras") for m in mods):
            return "tf.keras"
        pins = self._file_pins
        return next(iter(pins)) if len(pins) == 1 else None

    def _version(self, text: str, project: ProjectPins | None) -> Version | None:
        framework = self.keras_framework
        versions = self._file_pins.get(framework or "", set())
        if len(versions) == 1:
            return Version(framework or "", next(iter(versions)), "pinned in the file")
        if project is not None:
            pinned = project.for_framework(framework)
            if pinned is not None:
                return pinned
        return era(self.ip.era_evidence, framework)

    # -- building ---------------------------------------------------------------------------------------------
    def build(self) -> Analysis:
        events = self.ip.events
        self._compiles(events.compiles)
        self._losses(events.losses)
        self._loss_objects()
        self._metrics(events.metrics)
        self._models()
        for site, reason in events.unknown_losses:
            self._skip(site, reason)
        skipped = [s for key, s in self.skipped.items() if key not in self.decided]
        skipped.sort(key=lambda s: (s.location.row, s.location.column))
        return Analysis(self.out, skipped)

    def _emit(self, spec: HeadSpec, labels: Value | None, out: Value | None = None) -> None:
        task, data = self._label_facts(labels)
        key = (spec, task, None if data is None else (data.label_min, data.label_max, data.label_is_integer))
        if key in self._seen:
            return
        self._seen.add(key)
        head = LintHead(spec, task, data)
        self.out.append(head)
        if out is not None and spec.loss is not None:
            self._remember_task(out, head)

    def _skip(self, site: ast.AST, reason: str) -> None:
        if id(site) not in self.skipped:
            loc = self.loc(site)
            if loc is not None:
                self.skipped[id(site)] = SkippedHead(loc, reason)

    def _spec(self, out: Value, loss: LossSpec | None, metrics: list[MetricSpec], framework: str | None,
              labels: Value | None, model_node: ast.AST | None = None) -> HeadSpec:
        head = out if isinstance(out, Tensor) else Tensor()
        keras = framework in ("keras", "tf.keras")
        version = self.version if keras and self.version is not None and self.version.framework == framework else None
        enc, task = self._encoding(labels)
        locations = {k: v for k, v in (("labels", self.loc(labels.node) if isinstance(labels, Labels) else None),
                                       ("model", self.loc(model_node))) if v}
        return HeadSpec(
            framework=framework, framework_version=version.version if version else None,
            activation=head.act, activation_axis=head.axis, activation_axis_missing=head.axis_missing,
            units=head.units, loss=loss, metrics=tuple(metrics), labels=enc, task=task,
            activation_location=self.loc(head.act_node), units_location=self.loc(head.units_node),
            locations=locations, version_source=version.evidence if version else None,
        )

    # -- Keras compile ------------------------------------------------------------------------------------------
    def _compiles(self, compiles: list[Compile]) -> None:
        fits: dict[int, list] = {}
        for fit in self.ip.events.fits:
            fits.setdefault(fit.oid, []).append(fit)
        only_model = self._only_keras_model()
        for c in compiles:
            if c.loss is None and c.metrics is None:
                continue
            out = c.out
            if not _decided(out) and only_model is not None and _guessable(out):
                out = self.ip.lib.model_output(only_model)
            loss = self.loss_spec(c.loss, c.site) if c.loss is not None else None
            metrics = self.metric_specs(c.metrics, c.site) + [self._handwritten(m) for m in c.custom_metrics]
            labels = self._fit_labels(fits.get(c.oid, []) if c.oid is not None else [], c.t)
            framework = self.keras_framework or "keras"
            loss_spec = loss if isinstance(loss, LossSpec) else (
                LossSpec("unknown", spelling=short(c.site), location=self._loss_location(c.site)) if loss is not None else None)
            if isinstance(out, Tensor) and out.act is not None or loss_spec is not None and loss_spec.name != "unknown":
                self._emit(self._spec(out, loss_spec, metrics, framework, labels, c.site), labels)
                self._use(out)
            self._decide(c.site, out, loss, what_loss="the loss", has_loss=c.loss is not None)

    def _decide(self, site: ast.AST, out: Value, loss: LossSpec | Unknown | None, *, what_loss: str,
                has_loss: bool) -> None:
        if not has_loss:
            return
        reasons = []
        if not isinstance(loss, LossSpec) or loss.name == "unknown":
            why = loss.why if isinstance(loss, Unknown) else ""
            reasons.append(f"{what_loss}: {why or 'a loss lint does not know'}")
        if not _decided(out):
            reasons.append(f"the model's output: {unknown_why(out, 'not followed')}")
        if reasons:
            self._skip(site, "; ".join(reasons))
        else:
            self.decided.add(id(site))

    def _loss_location(self, site: ast.Call) -> Location | None:
        for kw in site.keywords:
            if kw.arg == "loss":
                return self.loc(kw.value)
        return self.loc(site.args[1]) if len(site.args) > 1 else self.loc(site)

    def _only_keras_model(self) -> Obj | None:
        models = [o for o in self.ip.instances if o.family == "keras" and o.kind in ("sequential", "functional", "instance")]
        return models[0] if len(models) == 1 else None

    def _fit_labels(self, fits: list, t: int) -> Value | None:
        """The labels of the first `fit` on the model after this `compile` (else the last before)."""
        after = [f for f in fits if f.t > t]
        chosen = after[0] if after else (fits[-1] if fits else None)
        return chosen.y if chosen is not None else None

    # -- losses ------------------------------------------------------------------------------------------------
    def loss_spec(self, value: Value, site: ast.Call) -> LossSpec | Unknown:
        """The LossSpec of a Keras `loss=` value, located where it is written."""
        node = None
        for kw in site.keywords:
            if kw.arg == "loss":
                node = kw.value
        if node is None and len(site.args) > 1:
            node = site.args[1]
        return self._loss_value(value, node)

    def _loss_value(self, value: Value, node: ast.AST | None, depth: int = 0) -> LossSpec | Unknown:
        if isinstance(value, Seq):
            if len(value.items) == 1 and depth < 4:
                inner = value.node.elts[0] if isinstance(value.node, (ast.List, ast.Tuple)) else node
                return self._loss_value(value.items[0], inner, depth + 1)
            return Unknown("one loss per output of a model with several outputs")
        if isinstance(value, Mapping):
            return Unknown("one loss per output of a model with several outputs")
        if isinstance(value, Const):
            where = self.loc(value.node or node)
            if not isinstance(value.value, str):
                return Unknown(f"`{value.value!r}` is not a loss")
            # 'crossentropy' stays ambiguous: the rules resolve it from the version and the shapes
            spec = normalize_loss(value.value, location=where)
            return spec if spec.name != "unknown" else Unknown(f"a loss lint does not know ({value.value!r})")
        if isinstance(value, LossV):
            return replace(value.spec, location=self.loc(value.node or node),
                           spelling=value.spec.spelling or short(value.node))
        if isinstance(value, Ref):
            spec = normalize_loss(value.name.replace("()", ""), location=self.loc(node))
            spelled = node.id if isinstance(node, ast.Name) else short(node) if node is not None else value.name
            spec = replace(spec, spelling=spelled)
            return spec if spec.name != "unknown" else Unknown(f"a loss lint does not know (`{spelled}`)")
        if isinstance(value, Func):
            return Unknown(f"a loss function written in this file (`{value.name}`)")
        if isinstance(value, Obj):
            return Unknown(f"a loss object of a class written in this file (`{short(value.node)}`)")
        if isinstance(value, Unknown):
            return value
        return Unknown(f"`{short(node)}`")

    def _losses(self, losses: list[LossUse]) -> None:
        fallback = self._only_torch_model()
        for use in losses:
            inputs = use.inputs
            if not _decided(inputs) and fallback is not None and use.framework == "pytorch" and _guessable(inputs):
                inputs = fallback
            spec = replace(use.loss, location=self.loc(use.site),
                           spelling=use.loss.spelling or short(use.site))
            framework = {"keras": self.keras_framework or "keras"}.get(use.framework, use.framework)
            if _decided(inputs):
                self._emit(self._spec(inputs, spec, self._attached(inputs), framework, use.target), use.target, inputs)
                self._use(inputs)
                self.decided.add(id(use.site))
            else:
                self._skip(use.site, f"the output the loss is applied to: {unknown_why(inputs, 'not followed')}")

    def _loss_objects(self) -> None:
        """Loss objects built but never applied in the file: paired with the file's only model."""
        applied = {id(u.site) for u in self.ip.events.losses}
        model = self._only_torch_model()
        for obj in self._created_losses():
            if id(obj.node) in applied or obj.order != "torch":
                continue
            spec = replace(obj.spec, location=self.loc(obj.node), spelling=short(obj.node))
            if model is not None:
                self._emit(self._spec(model, spec, self._attached(model), "pytorch", None), None)
                self._use(model)
            else:
                self._emit(self._spec(Tensor(), spec, [], "pytorch", None), None)

    def _created_losses(self) -> list[LossV]:
        seen: dict[int, LossV] = {}
        for (_, _), value in self._all_values():
            if isinstance(value, LossV) and value.node is not None:
                seen.setdefault(id(value.node), value)
        return list(seen.values())

    def _all_values(self):  # noqa: ANN202
        store = self.ip.store
        while store is not None:
            yield from store.data.items()
            store = store.parent

    def _submodules(self) -> set[int]:
        """Nodes of the layers held as attributes of a module (`self.features = nn.Sequential(...)`):
        parts of a model, not models."""
        owners = {o.oid for o in self.ip.instances}
        return {id(v.node) for (oid, _), v in self._all_values() if oid in owners and isinstance(v, Layer)}

    def _torch_sequentials(self) -> list:
        parts = self._submodules()
        return [m for m in self.ip.events.models if id(m.node) not in parts]

    def _only_torch_model(self) -> Tensor | None:
        if self._only_torch is not None:
            return self._only_torch or None
        heads: dict[tuple[int, int], Tensor] = {}
        for model in self._torch_sequentials():
            if model.framework == "pytorch" and isinstance(model.out, Tensor) and model.out.act is not None:
                heads.setdefault(model.out.key, model.out)
        for obj in self.ip.instances:
            if obj.family == "torch" and obj.cls is not None and obj.cls.lookup("forward") is not None:
                out = self.ip.lib.model_output(obj)
                if isinstance(out, Tensor) and out.act is not None:
                    heads.setdefault(out.key, out)
        self._only_torch = next(iter(heads.values())) if len(heads) == 1 else False
        return self._only_torch or None

    def _use(self, out: Value) -> None:
        if isinstance(out, Tensor):
            self.used.add(id(out.act_node))
            self.used.add(id(out.units_node))

    # -- metrics -------------------------------------------------------------------------------------------------
    def metric_specs(self, value: Value | None, site: ast.Call) -> list[MetricSpec]:
        node = None
        for kw in site.keywords:
            if kw.arg == "metrics":
                node = kw.value
        if node is None and len(site.args) > 2:
            node = site.args[2]
        return self._metric_values(value, node)

    def _metric_values(self, value: Value | None, node: ast.AST | None, depth: int = 0) -> list[MetricSpec]:
        if value is None or depth > 4:
            return []
        if isinstance(value, Seq):
            elts = value.node.elts if isinstance(value.node, (ast.List, ast.Tuple)) \
                and len(value.node.elts) == len(value.items) else [node] * len(value.items)
            return [m for item, elt in zip(value.items, elts) for m in self._metric_values(item, elt, depth + 1)]
        if isinstance(value, Mapping):
            return [m for _, item in value.items for m in self._metric_values(item, node, depth + 1)]
        if isinstance(value, Const) and isinstance(value.value, str):
            return [normalize_metric(value.value, location=self.loc(value.node or node))]
        if isinstance(value, MetricV):
            return [replace(value.spec, location=self.loc(value.node or node))]
        if isinstance(value, Ref):
            spelled = node.id if isinstance(node, ast.Name) else value.name.rsplit(".", 1)[-1]
            spec = normalize_metric(value.name.replace("()", "") + ("()" if value.name.endswith("()") else ""))
            return [replace(spec, spelling=spelled, location=self.loc(node))]
        if isinstance(value, Func):
            return [MetricSpec("unknown", spelling=value.name, location=self.loc(node))]
        return []

    def _handwritten(self, use: MetricUse) -> MetricSpec:
        return replace(use.spec, location=self.loc(use.site))

    def _attached(self, out: Value) -> list[MetricSpec]:
        """Metrics applied to the same output as a loss (same act / units nodes), and metric objects
        of the file that were never applied (torchmetrics objects logged elsewhere)."""
        if self._metrics_by_key is None:
            self._metrics_by_key = {}
            for use in self.ip.events.metrics:
                if isinstance(use.pred, Tensor):
                    self._metrics_by_key.setdefault(use.pred.key, []).append(use)
        specs = [self._metric_spec(u) for u in self._metrics_by_key.get(out.key, [])] if isinstance(out, Tensor) else []
        if not isinstance(out, Tensor) or out.torch:
            for spec, framework in self.ip.events.metric_objects:
                if framework == "pytorch" and spec not in specs:
                    specs.append(spec)
        return specs

    def _metric_spec(self, use: MetricUse) -> MetricSpec:
        spec = replace(use.spec, location=self.loc(use.site))
        if use.exact and spec.name == "binary_accuracy":  # thresholds compared, then all(axis=1)
            spec = replace(spec, name="exact_match_accuracy")
        return spec

    def _metrics(self, uses: list[MetricUse]) -> None:
        """Metrics applied to an output that no loss was applied to (an accuracy written by hand on a
        softmax taken for evaluation): a head of their own, with the task of the model they read."""
        loss_keys = {u.inputs.key for u in self.ip.events.losses if isinstance(u.inputs, Tensor)}
        for use in uses:
            pred = use.pred
            if not isinstance(pred, Tensor) or pred.key in loss_keys:
                continue
            spec = self._metric_spec(use)
            framework = use.framework or ("pytorch" if pred.torch else self.keras_framework)
            head = self._spec(pred, None, [spec], framework, use.target)
            if head.task is None and id(pred.units_node) in self._task_of_units:
                head = replace(head, task=self._task_of_units[id(pred.units_node)])
            self._emit(head, use.target)

    def _remember_task(self, out: Value, head: LintHead) -> None:
        """The task of a head paired with a loss, for metrics that read the same model's output."""
        from headcheck.rules._util import implied_task

        if not isinstance(out, Tensor) or out.units_node is None:
            return
        spec = head.spec
        kind = spec.task or (head.task.kind if head.task else None) or implied_task(spec)
        if kind:
            self._task_of_units.setdefault(id(out.units_node), kind)

    # -- models alone -----------------------------------------------------------------------------------------
    def _models(self) -> None:
        """Every model built whose head was not paired with a loss: the rules on the last layer alone."""
        candidates: list[tuple[Value, str, ast.AST | None]] = []
        for obj in self.ip.instances:
            if obj.family == "keras" and obj.kind in ("sequential", "functional"):
                candidates.append((self.ip.lib.model_output(obj), self.keras_framework or "keras", obj.node))
            elif obj.cls is not None and (obj.cls.lookup("forward") is not None or obj.cls.lookup("call") is not None):
                framework = "pytorch" if obj.cls.lookup("forward") is not None and obj.family != "keras" else (
                    self.keras_framework or "keras")
                candidates.append((self.ip.lib.model_output(obj), framework, obj.node))
        for model in self._torch_sequentials():
            candidates.append((model.out, model.framework, model.node))
        for out, framework, node in candidates:
            if not isinstance(out, Tensor) or out.act is None:
                continue
            if id(out.act_node) in self.used and id(out.units_node) in self.used:
                continue
            if out.units_node is not None and id(out.units_node) in self.used and out.act == "linear":
                continue
            metrics = [s for s, f in self.ip.events.metric_objects if f == framework] if framework == "pytorch" else []
            self._emit(self._spec(out, None, metrics, framework, None, node), None)

    # -- labels ---------------------------------------------------------------------------------------------------
    def _encoding(self, labels: Value | None) -> tuple[str | None, str | None]:
        """(label encoding, task the labels make plain) for the HeadSpec."""
        if not isinstance(labels, Labels) or labels.encoding in (None, "continuous"):
            return None, None
        enc = labels.encoding
        if enc == "multi-hot":
            return enc, "multilabel"
        if enc == "one-hot":
            made_from_indices = any(s in labels.source for s in ("to_categorical", "one_hot", "np.eye", "get_dummies",
                                                                   "a literal array"))
            return enc, "multiclass" if made_from_indices else None
        return enc, None

    def _label_facts(self, labels: Value | None) -> tuple[TaskProfile | None, DataFacts | None]:
        if not isinstance(labels, Labels):
            return None, None
        data = None
        if labels.lo is not None and labels.hi is not None:
            data = DataFacts(label_min=float(labels.lo), label_max=float(labels.hi), label_is_integer=labels.integer)
        task = None
        k = labels.k
        if labels.encoding == "integer" and k and k >= 2:
            task = TaskProfile("binary" if k == 2 else "multiclass", k, "integer", "probabilities")  # type: ignore[arg-type]
        elif labels.encoding == "one-hot" and k and k >= 2:
            task = TaskProfile("multiclass", k, "one-hot", "probabilities")  # type: ignore[arg-type]
        elif labels.encoding == "multi-hot" and k and k >= 1:
            task = TaskProfile("multilabel", k, "multi-hot", "independent")  # type: ignore[arg-type]
        return task, data


def _decided(out: Value) -> bool:
    return isinstance(out, Tensor) and out.act is not None


def _guessable(out: Value) -> bool:
    """An output that is unknown only because it comes through a parameter or an attribute, where the
    file's only model is the likely one (not a model loaded from disk or another module's)."""
    why = unknown_why(out, "")
    return not any(s in why for s in ("disk", "another module", "branch", "several outputs", "pretrained",
                                      "recurrent", "activation lint does not know", "column of a softmax"))


def analyse(text: str, filename: str = "<source>", *, raw: str = "", project: ProjectPins | None = None) -> Analysis:
    """The heads of one Python text, and the heads it could not decide. Raises SyntaxError."""
    tree = ast.parse(text, filename=filename)
    ip = Interpreter(tree, Library, text.count("\n") + 1, text)
    ip.run()
    try:
        return SpecBuilder(ip, filename, text, raw, project).build()
    finally:
        # the interpreter and its library refer to each other: break the cycle so that the tree
        # and every value are freed now, by reference counting, not by a later collector pass
        ip.lib = None  # type: ignore[assignment]


def extract_heads(text: str, filename: str = "<source>", *, raw: str = "",
                  project: ProjectPins | None = None) -> list[HeadSpec]:
    """Every head that the source shows, as HeadSpecs with locations (rows of `text`).

    Raises SyntaxError when the text does not parse.

    >>> src = '''
    ... from keras.models import Sequential
    ... from keras.layers import Dense
    ... model = Sequential([Dense(10, activation="softmax")])
    ... model.compile(loss="binary_crossentropy", metrics=["accuracy"])
    ... '''
    >>> [(h.activation, h.units, h.loss.name, h.metrics[0].name) for h in extract_heads(src)]
    [('softmax', 10, 'binary_crossentropy', 'accuracy')]
    """
    return [h.spec for h in analyse(text, filename, raw=raw, project=project).heads]
