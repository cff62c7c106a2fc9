"""Running learner code in a child process the grader can kill (see launcher and server)."""
