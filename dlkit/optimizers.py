"""Optimizers: the sheet's step 3, "use the gradients to update the weights".

Every optimizer walks a list of Parameters, skips the frozen ones
(``trainable=False``), and updates ``value`` from ``grad`` in place:

    opt = Adam(model.parameters(), lr=1e-3)
    opt.zero_grad()      # grads accumulate, so reset them before each backward
    model.backward(...)  # step 2: fills .grad
    opt.step()           # step 3: t <- t + 1, then one update of every parameter

The update rules, with g = dL/dw, every operation element-wise, and t the
step count (1 at the first step; ``step()`` increments it *before* use):

    SGD       w <- w - lr g
    Momentum  v <- beta v + (1 - beta) g          ("damped", the sheet's course)
           or v <- beta v + g                     ("undamped", PyTorch)
              w <- w - lr v
    RMSprop   s <- beta s + (1 - beta) g^2
              w <- w - lr g / (sqrt(s) + eps)
    Adam      v <- beta1 v + (1 - beta1) g        (1st moment, the sheet's v_dw)
              s <- beta2 s + (1 - beta2) g^2      (2nd moment, the sheet's s_dw)
              v_hat = v / (1 - beta1^t),  s_hat = s / (1 - beta2^t)   (bias correction)
              w <- w - lr v_hat / (sqrt(s_hat) + eps)
    Adagrad   G <- G + g^2
              w <- w - lr g / (sqrt(G) + eps)
    Adadelta  s <- rho s + (1 - rho) g^2
              dw = sqrt(u + eps) / sqrt(s + eps) g
              u <- rho u + (1 - rho) dw^2
              w <- w - lr dw                      (lr = 1: Zeiler's original rule)

Buffers (v, s, G, u) start at zero, one per parameter, in ``opt.state``.
Where eps sits matters for small gradients: dlkit puts it *outside* the
square root for RMSprop, Adam and Adagrad (as PyTorch does) and inside for
Adadelta (as its paper and every framework do). Keras 3 differs: its RMSprop
and Adagrad put eps *inside* the root, lr g / sqrt(s + eps) (and its Adagrad
starts G at 0.1, not 0); its Adam adds eps outside the *uncorrected* root,
lr_t m / (sqrt(v) + eps) with lr_t = lr sqrt(1 - beta2^t) / (1 - beta1^t) (the
paper's "eps hat"). Inside the root, eps = 1e-7 floors the RMS gradient at
sqrt(eps) ~ 3e-4: smaller gradients get smaller steps than lr, as in SGD.

Keras's momentum puts lr inside the velocity, m <- beta m - lr g, w <- w + m:
the same weights as the undamped form (m = -lr v) only while lr is constant.
When a schedule changes lr, the undamped form rescales the whole velocity at
once, while in Keras's form the steps taken with the old lr fade out at rate
beta.

Each update is written as its formula, the running averages updated in
place. ``lr`` may be changed between steps (a learning-rate schedule does
that).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from ._validate import check_float
from .parameter import Parameter


def _check_beta(value, name: str) -> float:
    """A decay rate in [0, 1): 1 would freeze the average at its first value forever."""
    return check_float(value, name, low=0.0, high=1.0, high_open=True)


def _check_eps(value, name: str = "eps") -> float:
    return check_float(value, name, low=0.0, low_open=True)


class Optimizer:
    """Base class: holds the parameters, the learning rate, the step count t.

    Subclasses implement ``update(p, state)`` for one parameter; ``state`` is
    a dict kept per parameter for buffers such as velocities (created at the
    first update, zero-filled, same shape and dtype as the parameter).
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

    @staticmethod
    def _buffers(p: Parameter, state: dict, *names: str) -> list[np.ndarray]:
        """The named buffers of one parameter, created as zeros at the first call."""
        for name in names:
            if name not in state:
                state[name] = np.zeros_like(p.value)
        return [state[name] for name in names]

    def _hyper(self) -> str:
        return ""

    def __repr__(self) -> str:
        extra = self._hyper()
        return f"{type(self).__name__}(lr={self.lr:g}{', ' + extra if extra else ''})"


class SGD(Optimizer):
    """Plain (mini-batch) gradient descent, the sheet's rule:  w <- w - lr * dL/dw."""

    def __init__(self, parameters, lr: float = 0.1):
        super().__init__(parameters, lr)

    def update(self, p: Parameter, state: dict) -> None:
        p.value -= self.lr * p.grad                             # w <- w - lr g


class Momentum(Optimizer):
    """Gradient descent with momentum: a running average of gradients sets the step.

    convention="damped" (default; the sheet's course, Ng's CS 230 lectures):

        v <- beta v + (1 - beta) g,     w <- w - lr v

    v is an exponential moving average of the gradients: same units as g.

    convention="undamped" (PyTorch ``SGD(momentum=beta)``):

        v <- beta v + g,                w <- w - lr v

    Keras's ``SGD(momentum=beta)`` keeps lr inside the velocity, m <- beta m -
    lr g, w <- w + m: identical to "undamped" while lr is constant (m = -lr v),
    different once a schedule changes lr (old steps keep their old lr and fade
    at rate beta, instead of being rescaled at once).

    Starting from v = 0, v_undamped = v_damped / (1 - beta) at every step, so
    the two give identical weights when lr_undamped = (1 - beta) lr_damped
    (for beta = 0.9, an undamped lr of 0.01 is a damped lr of 0.1).

    nesterov=True looks ahead: the step uses beta v + c g instead of v, with
    c = 1 - beta (damped) or 1 (undamped), as PyTorch's ``nesterov=True``.

    Note: PyTorch's ``dampening`` argument is a number, and its first step
    sets v = g whatever the dampening; dlkit starts from v = 0, which equals
    PyTorch exactly in the undamped convention.
    """

    CONVENTIONS = ("damped", "undamped")

    def __init__(self, parameters, lr: float = 0.1, beta: float = 0.9,
                 convention: str = "damped", nesterov: bool = False):
        super().__init__(parameters, lr)
        self.beta = _check_beta(beta, "beta")
        if convention not in self.CONVENTIONS:
            raise ValueError(
                f"convention must be 'damped' (v = beta v + (1 - beta) g) or 'undamped' "
                f"(v = beta v + g), got {convention!r}"
            )
        self.convention = convention
        self.nesterov = bool(nesterov)

    def update(self, p: Parameter, state: dict) -> None:
        (v,) = self._buffers(p, state, "v")
        c = 1.0 - self.beta if self.convention == "damped" else 1.0
        v *= self.beta                                          # v <- beta v + c g
        v += c * p.grad
        if self.nesterov:
            p.value -= self.lr * (self.beta * v + c * p.grad)   # w <- w - lr (beta v + c g)
        else:
            p.value -= self.lr * v                              # w <- w - lr v

    def _hyper(self) -> str:
        nest = ", nesterov=True" if self.nesterov else ""
        return f"beta={self.beta:g}, convention={self.convention!r}{nest}"


class RMSprop(Optimizer):
    """Root Mean Square propagation: divide each step by a running RMS of the gradient.

        s <- beta s + (1 - beta) g^2
        w <- w - lr g / (sqrt(s) + eps)

    eps sits outside the square root, as in PyTorch (the sheet leaves it out);
    Keras puts it inside, g / sqrt(s + eps). With no bias correction the first
    step is lr g / sqrt((1 - beta) g^2) = 3.2 lr for beta = 0.9.
    Defaults: beta = 0.9 (Hinton's lecture, Keras's rho); PyTorch's alpha is 0.99.
    """

    def __init__(self, parameters, lr: float = 1e-3, beta: float = 0.9, eps: float = 1e-8):
        super().__init__(parameters, lr)
        self.beta = _check_beta(beta, "beta")
        self.eps = _check_eps(eps)

    def update(self, p: Parameter, state: dict) -> None:
        (s,) = self._buffers(p, state, "s")
        g = p.grad
        s *= self.beta                                          # s <- beta s + (1 - beta) g^2
        s += (1.0 - self.beta) * np.square(g)
        p.value -= self.lr * g / (np.sqrt(s) + self.eps)        # w <- w - lr g / (sqrt(s) + eps)

    def _hyper(self) -> str:
        return f"beta={self.beta:g}, eps={self.eps:g}"


class Adam(Optimizer):
    """Adaptive Moment estimation (Kingma & Ba, 2015): momentum + RMSprop + bias correction.

        v <- beta1 v + (1 - beta1) g          (the sheet's v_dw, the paper's m)
        s <- beta2 s + (1 - beta2) g^2        (the sheet's s_dw, the paper's v)
        v_hat = v / (1 - beta1^t)             t = 1, 2, ... (self.t, after the increment)
        s_hat = s / (1 - beta2^t)
        w <- w - lr v_hat / (sqrt(s_hat) + eps)

    Without the correction, v and s start at 0 and are biased towards 0: for a
    constant g, v = (1 - beta1^t) g and s = (1 - beta2^t) g^2, so the step
    would be (1 - beta1^t) / sqrt(1 - beta2^t) times the corrected one: 3.2 at
    t = 1 (0.1 g / (0.0316 |g|)), about 6.6 near t = 12, still 3.2 at t = 100,
    near 1 only after a few thousand steps. The sheet's "4 parameters to tune"
    are lr, beta1, beta2, eps.
    """

    def __init__(self, parameters, lr: float = 1e-3, beta1: float = 0.9, beta2: float = 0.999,
                 eps: float = 1e-8):
        super().__init__(parameters, lr)
        self.beta1 = _check_beta(beta1, "beta1")
        self.beta2 = _check_beta(beta2, "beta2")
        self.eps = _check_eps(eps)

    def update(self, p: Parameter, state: dict) -> None:
        v, s, v_hat, s_hat = self._buffers(p, state, "v", "s", "v_hat", "s_hat")
        g = p.grad
        v *= self.beta1                                         # v <- beta1 v + (1 - beta1) g
        v += (1.0 - self.beta1) * g
        s *= self.beta2                                         # s <- beta2 s + (1 - beta2) g^2
        s += (1.0 - self.beta2) * np.square(g)
        np.divide(v, 1.0 - self.beta1 ** self.t, out=v_hat)     # v_hat = v / (1 - beta1^t)
        np.divide(s, 1.0 - self.beta2 ** self.t, out=s_hat)     # s_hat = s / (1 - beta2^t)
        p.value -= self.lr * v_hat / (np.sqrt(s_hat) + self.eps)
    def _hyper(self) -> str:
        return f"beta1={self.beta1:g}, beta2={self.beta2:g}, eps={self.eps:g}"


class Adagrad(Optimizer):
    """Adaptive gradient (Duchi et al., 2011): divide by the root of ALL past squared gradients.

        G <- G + g^2
        w <- w - lr g / (sqrt(G) + eps)

    G only grows, so the effective step lr / sqrt(G) only shrinks: good for
    sparse features, too timid for long training (RMSprop's fix: forget old
    gradients). eps outside the root, as PyTorch (Keras puts it inside).
    """

    def __init__(self, parameters, lr: float = 1e-2, eps: float = 1e-10):
        super().__init__(parameters, lr)
        self.eps = _check_eps(eps)

    def update(self, p: Parameter, state: dict) -> None:
        (G,) = self._buffers(p, state, "G")
        g = p.grad
        G += np.square(g)                                       # G <- G + g^2
        p.value -= self.lr * g / (np.sqrt(G) + self.eps)        # w <- w - lr g / (sqrt(G) + eps)

    def _hyper(self) -> str:
        return f"eps={self.eps:g}"


class Adadelta(Optimizer):
    """Adadelta (Zeiler, 2012): RMSprop whose step size has the units of w, no lr needed.

        s <- rho s + (1 - rho) g^2                  running mean of g^2
        dw = sqrt(u + eps) / sqrt(s + eps) * g      u: running mean of dw^2
        u <- rho u + (1 - rho) dw^2
        w <- w - lr dw

    The paper has no learning rate (lr = 1, the default here and in PyTorch).
    eps sits inside both roots (paper, PyTorch, Keras): at the start u = 0 and
    the first step is sqrt(eps / (s + eps)) g, tiny, so Adadelta starts slowly.
    """

    def __init__(self, parameters, lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6):
        super().__init__(parameters, lr)
        self.rho = _check_beta(rho, "rho")
        self.eps = _check_eps(eps)

    def update(self, p: Parameter, state: dict) -> None:
        s, u = self._buffers(p, state, "s", "u")
        g, rho, eps = p.grad, self.rho, self.eps
        s *= rho                                                # s <- rho s + (1 - rho) g^2
        s += (1.0 - rho) * np.square(g)
        dw = np.sqrt(u + eps) / np.sqrt(s + eps) * g
        u *= rho                                                # u <- rho u + (1 - rho) dw^2
        u += (1.0 - rho) * np.square(dw)
        p.value -= self.lr * dw                                 # w <- w - lr dw

    def _hyper(self) -> str:
        return f"rho={self.rho:g}, eps={self.eps:g}"


OPTIMIZERS: dict[str, type[Optimizer]] = {
    "sgd": SGD,
    "momentum": Momentum,
    "rmsprop": RMSprop,
    "adam": Adam,
    "adagrad": Adagrad,
    "adadelta": Adadelta,
}


def get_optimizer(name: str, parameters, **kwargs) -> Optimizer:
    """An optimizer by name: ``get_optimizer("adam", model.parameters(), lr=1e-3)``.

    Names (case-insensitive): sgd, momentum, nesterov (Momentum with
    nesterov=True), rmsprop, adam, adagrad, adadelta. ``kwargs`` go to the
    class (lr, beta, beta1, beta2, eps, rho, convention, ...).
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be an optimizer name (str), got {type(name).__name__}")
    key = name.lower()
    if key == "nesterov":
        kwargs.setdefault("nesterov", True)
        key = "momentum"
    if key not in OPTIMIZERS:
        known = sorted([*OPTIMIZERS, "nesterov"])
        raise ValueError(f"unknown optimizer name {name!r}; known: {known}")
    cls = OPTIMIZERS[key]
    try:
        return cls(parameters, **kwargs)
    except TypeError as err:
        if "unexpected keyword" in str(err):
            raise TypeError(f"{cls.__name__}: {err}") from err
        raise
