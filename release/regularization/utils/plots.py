"""Cost curves and decision boundaries."""
import matplotlib.pyplot as plt
import numpy as np


def plot_costs(costs, every, title, ax=None, unit="iteration"):
    """Plot a cost recorded every `every` iterations (or epochs: unit="epoch")."""
    ax = ax or plt.subplots(figsize=(5, 3.5))[1]
    iterations = np.arange(len(costs)) * every
    ax.plot(iterations, costs)
    ax.set(xlabel=unit, ylabel="cost", title=title)
    off_chart = iterations[~np.isfinite(costs)]
    if off_chart.size:
        ax.text(0.98, 0.95, f"cost = inf at {unit} {', '.join(map(str, off_chart))} (not drawn)",
                transform=ax.transAxes, ha="right", va="top", fontsize=9)
    return ax


def plot_dataset(X, Y, title, ax=None):
    """Scatter the columns of X (2, m), colored by their label in Y (1, m)."""
    ax = ax or plt.subplots(figsize=(5, 4))[1]
    ax.scatter(X[0], X[1], c=Y.ravel(), s=15, cmap=plt.cm.coolwarm, edgecolors="k", linewidths=0.3)
    ax.set(title=title, xlabel="$x_1$", ylabel="$x_2$")
    return ax


def plot_decision_boundary(predict, X, Y, title, ax=None, resolution=300):
    """Shade the plane by the label `predict` gives it, then draw the points.

    predict takes an array (2, k) of points and returns (1, k) labels.
    """
    margin = 0.5
    x1 = np.linspace(X[0].min() - margin, X[0].max() + margin, resolution)
    x2 = np.linspace(X[1].min() - margin, X[1].max() + margin, resolution)
    grid1, grid2 = np.meshgrid(x1, x2)
    labels = predict(np.vstack([grid1.ravel(), grid2.ravel()])).reshape(grid1.shape)
    ax = ax or plt.subplots(figsize=(5, 4))[1]
    ax.contourf(grid1, grid2, labels, levels=[-0.5, 0.5, 1.5], cmap=plt.cm.coolwarm, alpha=0.35)
    return plot_dataset(X, Y, title, ax=ax)


def plot_run(costs, every, predict, X, Y, title, unit="iteration"):
    """A training run at a glance: its cost curve beside its decision boundary."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8))
    plot_costs(costs, every, f"{title}: cost", ax=left, unit=unit)
    plot_decision_boundary(predict, X, Y, f"{title}: decision boundary", ax=right)
    fig.tight_layout()
    plt.show()
