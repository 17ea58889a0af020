"""Cost curves and decision boundaries."""
import matplotlib.pyplot as plt
import numpy as np

# Wide enough to read both panels of a run side by side in a JupyterLab notebook.
RUN_FIGSIZE = (11, 4.2)
CLASS_COLORS = {0: "tab:blue", 1: "tab:red"}


def plot_costs(costs, every, title, ax=None, unit="iteration", label=None, ylabel="cost"):
    """Plot a cost recorded every `every` iterations (or epochs: unit="epoch")."""
    ax = ax or plt.subplots(figsize=(6, 4))[1]
    iterations = np.arange(len(costs)) * every
    ax.plot(iterations, costs, label=label)
    ax.set(xlabel=unit, ylabel=ylabel, title=title)
    off_chart = iterations[~np.isfinite(costs)]
    if off_chart.size:
        ax.text(0.98, 0.95, f"cost = inf at {unit} {', '.join(map(str, off_chart))} (not drawn)",
                transform=ax.transAxes, ha="right", va="top", fontsize=9)
    return ax


def plot_dataset(X, Y, title, ax=None, equal=False, marker="o", set_name=""):
    """Scatter the columns of X (2, m), colored by their label in Y (1, m), with a legend.

    equal=True gives both axes the same scale, so that circles look round.
    """
    ax = ax or plt.subplots(figsize=(6, 4.8))[1]
    labels = np.asarray(Y).ravel()
    for label, color in CLASS_COLORS.items():
        points = X[:, labels == label]
        ax.scatter(points[0], points[1], color=color, s=22 if marker == "o" else 30, marker=marker,
                   edgecolors="k", linewidths=0.3, label=f"{set_name}class {label}".strip())
    ax.set(title=title, xlabel="$x_1$", ylabel="$x_2$")
    if equal:
        ax.set_aspect("equal", adjustable="box")
    # Outside the axes, where it hides no point.
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1), fontsize=9, borderaxespad=0)
    return ax


def plot_decision_boundary(predict, X, Y, title, ax=None, resolution=300, test_X=None, test_Y=None,
                           equal=False):
    """Shade the plane by the label `predict` gives it, then draw the points.

    predict takes an array (2, k) of points and returns (1, k) labels. Given
    test_X and test_Y, the test points are drawn too, as triangles.
    """
    everything = X if test_X is None else np.hstack([X, test_X])
    # A margin in proportion to the data keeps the points, not empty plane, in view.
    low, high = everything.min(axis=1), everything.max(axis=1)
    margin = 0.1 * (high - low)
    x1 = np.linspace(low[0] - margin[0], high[0] + margin[0], resolution)
    x2 = np.linspace(low[1] - margin[1], high[1] + margin[1], resolution)
    grid1, grid2 = np.meshgrid(x1, x2)
    labels = predict(np.vstack([grid1.ravel(), grid2.ravel()])).reshape(grid1.shape)
    ax = ax or plt.subplots(figsize=(6, 4.8))[1]
    ax.contourf(grid1, grid2, labels, levels=[-0.5, 0.5, 1.5], colors=[CLASS_COLORS[0], CLASS_COLORS[1]],
                alpha=0.2)
    if test_X is None:
        return plot_dataset(X, Y, title, ax=ax, equal=equal)
    plot_dataset(X, Y, title, ax=ax, equal=equal, set_name="train, ")
    return plot_dataset(test_X, test_Y, title, ax=ax, equal=equal, marker="^", set_name="test, ")


def plot_run(costs, every, predict, X, Y, title, unit="iteration", test_X=None, test_Y=None, equal=False,
             ylabel="cost"):
    """A training run at a glance: its cost curve beside its decision boundary."""
    fig, (left, right) = plt.subplots(1, 2, figsize=RUN_FIGSIZE)
    plot_costs(costs, every, f"{title}: cost", ax=left, unit=unit, ylabel=ylabel)
    plot_decision_boundary(predict, X, Y, f"{title}: decision boundary", ax=right,
                           test_X=test_X, test_Y=test_Y, equal=equal)
    fig.tight_layout()
    plt.show()
