"""A loop that ignores SIGTERM, SIGINT, SIGHUP and swallows every BaseException, in
sigmoid: only SIGKILL from the grader ends it."""

# ruff: noqa
EXPECT = {
    "status": "partial",
    "checks": {"attack_sigmoid_values": "timeout", "attack_relu_still_graded": "passed"},
    "message": "did not finish within",
}

import signal

for number in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1):
    signal.signal(number, signal.SIG_IGN)


def sigmoid(z):
    while True:
        try:
            while True:
                pass
        except BaseException:
            continue
