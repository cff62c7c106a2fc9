"""An endless loop in sigmoid: each sigmoid check times out naming the function and the
limit; the child is restarted and relu is still graded."""

# ruff: noqa
EXPECT = {
    "status": "partial",
    "checks": {
        "attack_sigmoid_values": "timeout",
        "attack_sigmoid_is_fast": "timeout",
        "attack_relu_still_graded": "passed",
    },
    "message": "sigmoid did not finish within 1 s",
}


def sigmoid(z):
    while True:
        pass
