"""Helpers shared by the four assignments of "Improving Deep Neural Networks".

One module per concern:
    activations          sigmoid and ReLU
    three_layer_forward  the LINEAR->RELU->LINEAR->RELU->LINEAR->SIGMOID network's
                         forward pass, cost and predictions
    three_layer_backward its backward pass
    three_layer_net      the whole network, with a gradient-descent step
    datasets             loading the course's bundled datasets
    plots                cost curves and decision boundaries
    checks               the comparisons the visible tests use
    parameter_vector     a network's parameters as one column vector and back
    block_report         a gradient check's verdict parameter by parameter
    numerical_gradient   numerical gradients of array functions
    gradient_check       the relative difference (instructor side, never released)

Each assignment ships only the modules its notebook needs (grader/assignments.py).
"""
