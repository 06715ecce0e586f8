"""Optimizers: the sheet's step 3, "use the gradients to update the weights".

Every optimizer walks a list of Parameters, skips the frozen ones
(``trainable=False``), and updates ``value`` from ``grad``:

    opt = SGD(model.parameters(), lr=0.1)
    opt.zero_grad()      # grads accumulate, so reset them before each backward
    model.backward(...)  # step 2: fills .grad
    opt.step()           # step 3: w <- w - lr * dL/dw

``lr`` may be changed between steps (learning-rate schedules do that).
"""

from __future__ import annotations

from collections.abc import Iterable

from ._validate import check_float
from .parameter import Parameter


class Optimizer:
    """Base class: holds the parameters, the learning rate, the step count t.

    Subclasses implement ``update(p, state)`` for one parameter; ``state`` is
    a dict kept per parameter for buffers such as velocities.
    """

    def __init__(self, parameters: Iterable[Parameter], lr: float):
        params = list(parameters)
        if not params:
            raise ValueError("parameters is empty: the optimizer has nothing to update")
        for i, p in enumerate(params):
            if not isinstance(p, Parameter):
                raise TypeError(
                    f"parameters[{i}] must be a dlkit Parameter, got {type(p).__name__} "
                    "(pass model.parameters())"
                )
        self.params = params
        self.lr = lr
        self.t = 0
        self.state: list[dict] = [{} for _ in params]

    @property
    def lr(self) -> float:
        return self._lr

    @lr.setter
    def lr(self, value: float) -> None:
        self._lr = check_float(value, "lr", low=0.0, low_open=True)

    def zero_grad(self) -> None:
        """Set every parameter's grad to 0 (frozen ones too: they get grads, never updates)."""
        for p in self.params:
            p.grad.fill(0.0)

    def step(self) -> None:
        """One update of every trainable parameter; t counts steps from 1."""
        self.t += 1
        for p, state in zip(self.params, self.state):
            if p.trainable:
                self.update(p, state)

    def update(self, p: Parameter, state: dict) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}(lr={self.lr:g})"


class SGD(Optimizer):
    """Plain (mini-batch) gradient descent, the sheet's rule:  w <- w - lr * dL/dw."""

    def update(self, p: Parameter, state: dict) -> None:
        p.value -= self.lr * p.grad
