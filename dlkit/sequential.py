"""Sequential: a stack of layers, run forward in order and backward in reverse.

    forward:   x -> layer_1 -> layer_2 -> ... -> layer_L -> logits
    backward:  dlogits -> layer_L.backward -> ... -> layer_1.backward -> dx

Backpropagation is exactly this reverse walk: each layer turns dL/d(its output)
into dL/d(its input), adding dL/d(its parameters) into their ``.grad`` on the way.
"""

from __future__ import annotations

import numpy as np

from ._validate import check_int
from .layer import Layer
from .parameter import Parameter


class Sequential(Layer):
    """A chain of layers with forward, backward, train/eval and freezing."""

    def __init__(self, *layers: Layer):
        super().__init__()
        if len(layers) == 1 and isinstance(layers[0], (list, tuple)):
            layers = tuple(layers[0])
        for i, layer in enumerate(layers):
            if not isinstance(layer, Layer):
                raise TypeError(
                    f"layers[{i}] must be a dlkit Layer (Dense, ReLU, ...), got "
                    f"{type(layer).__name__}"
                )
        self.layers = list(layers)
        self.stop_training = False
        self._check_widths()

    def _check_widths(self) -> None:
        """Catch a Dense(a, b) followed by a Dense(c, d) with c != b at construction.

        Conv2D counts channels (in_channels / out_channels); a layer that
        reshapes (Flatten) ends what can be checked before running.
        """
        width, source = None, None
        for i, layer in enumerate(self.layers):
            n_in = None
            for attr in ("in_features", "in_channels", "num_features"):
                n_in = getattr(layer, attr, None)
                if n_in is not None:
                    break
            if n_in is not None and width is not None and n_in != width:
                raise ValueError(
                    f"layers[{i}] {layer!r} expects {n_in} input features but "
                    f"layers[{source}] produces {width}"
                )
            n_out = getattr(layer, "out_features", None)
            if n_out is None:
                n_out = getattr(layer, "out_channels", None)
            if n_out is not None:
                width, source = n_out, i
            elif getattr(layer, "reshapes", False):
                width, source = None, None

    # -- the two passes -------------------------------------------------------
    def forward(self, x: np.ndarray) -> np.ndarray:
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, dy: np.ndarray) -> np.ndarray:
        """Walk the layers in reverse; returns dL/dx for the model's input."""
        for layer in reversed(self.layers):
            dy = layer.backward(dy)
        return dy

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Forward pass in evaluation mode (dropout off, batch-norm running stats)."""
        was_training = self.training
        self.eval()
        try:
            return self.forward(np.asarray(X, dtype=self.dtype))
        finally:
            if was_training:
                self.train()

    # -- bookkeeping ----------------------------------------------------------
    def parameters(self) -> list[Parameter]:
        return [p for layer in self.layers for p in layer.parameters()]

    def named_parameters(self) -> list[tuple[str, Parameter]]:
        """[("0.W", W), ("0.b", b), ("2.W", ...), ...]: layer index, then name."""
        return [(f"{i}.{p.name}", p) for i, layer in enumerate(self.layers)
                for p in layer.parameters()]

    def train(self) -> Sequential:
        self.training = True
        for layer in self.layers:
            layer.train()
        return self

    def eval(self) -> Sequential:
        self.training = False
        for layer in self.layers:
            layer.eval()
        return self

    @property
    def dtype(self) -> np.dtype:
        params = self.parameters()
        return params[0].dtype if params else np.dtype(np.float64)

    def num_parameters(self, trainable_only: bool = False) -> int:
        return sum(p.size for p in self.parameters() if p.trainable or not trainable_only)

    # -- transfer learning ----------------------------------------------------
    def _set_trainable(self, flag: bool, k: int | None, name: str) -> Sequential:
        if k is None:
            k = len(self.layers)
        k = check_int(k, name, low=0, high=len(self.layers))
        for layer in self.layers[:k]:
            for p in layer.parameters():
                p.trainable = flag
        return self

    def freeze(self, k: int | None = None) -> Sequential:
        """Freeze the parameters of the first k layers (all layers if k is None)."""
        return self._set_trainable(False, k, "k")

    def unfreeze(self, k: int | None = None) -> Sequential:
        """Make the first k layers trainable again (all layers if k is None)."""
        return self._set_trainable(True, k, "k")

    # -- saving and restoring weights -----------------------------------------
    def state_dict(self) -> dict[str, np.ndarray]:
        """A copy of every parameter's value, keyed by ``named_parameters`` names."""
        return {name: p.value.copy() for name, p in self.named_parameters()}

    def load_state_dict(self, state: dict[str, np.ndarray]) -> Sequential:
        """Copy values in; every key must match and every shape must agree."""
        named = dict(self.named_parameters())
        missing = sorted(set(named) - set(state))
        extra = sorted(set(state) - set(named))
        if missing or extra:
            raise ValueError(
                f"state does not match the model: missing {missing}, unexpected {extra}"
            )
        for name, p in named.items():
            value = np.asarray(state[name])
            if value.shape != p.shape:
                raise ValueError(
                    f"state[{name!r}] has shape {value.shape} but the model's parameter "
                    f"has shape {p.shape}"
                )
        for name, p in named.items():
            p.value[...] = state[name]
        return self

    # -- conveniences ---------------------------------------------------------
    def __len__(self) -> int:
        return len(self.layers)

    def __getitem__(self, i):
        return Sequential(*self.layers[i]) if isinstance(i, slice) else self.layers[i]

    def __iter__(self):
        return iter(self.layers)

    def summary(self) -> str:
        """One line per layer with its parameter count, then the totals."""
        lines = []
        for i, layer in enumerate(self.layers):
            n = sum(p.size for p in layer.parameters())
            frozen = any(not p.trainable for p in layer.parameters())
            lines.append(f"{i:>3}  {layer!r:<28} {n:>8} params{'  (frozen)' if frozen else ''}")
        lines.append(
            f"total {self.num_parameters()} params, "
            f"{self.num_parameters(trainable_only=True)} trainable"
        )
        return "\n".join(lines)

    def __repr__(self) -> str:
        inner = ", ".join(repr(layer) for layer in self.layers)
        return f"Sequential({inner})"
