"""Where a backward pass disagrees with a numerical gradient, parameter by parameter."""
import numpy as np


def print_block_differences(grad, gradapprox, keys, threshold=1e-5):
    """Print the relative difference of each parameter's block of the two gradient columns.

    keys is what dictionary_to_vector returned. A single block is small and its
    difference noisier than the total's, so a block is flagged only well above
    round-off, at 1e-5. The differences are printed, not returned, and to four
    digits: enough to point at a block, too few to stand in for the check itself.
    """
    start = 0
    for name, shape in keys:
        size = int(np.prod(shape))
        g, a = grad[start:start + size], gradapprox[start:start + size]
        start += size
        scale = np.linalg.norm(g) + np.linalg.norm(a)
        difference = np.linalg.norm(g - a) / scale if scale else 0.0
        verdict = "<-- look here" if difference > threshold else "ok"
        print(f"  d{name:<4} difference = {difference:.3e}   {verdict}")
