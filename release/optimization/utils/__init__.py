"""Helpers shared by the four assignments of "Improving Deep Neural Networks".

One module per concern:
    activations     sigmoid and ReLU
    three_layer_net the LINEAR->RELU->LINEAR->RELU->LINEAR->SIGMOID network
    datasets        loading the course's bundled datasets
    plots           cost curves and decision boundaries
    checks          the comparisons the visible tests use
    gradient_check  numerical gradients and parameter packing
"""
