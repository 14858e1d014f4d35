from wrapper_lib import load


def refresh():
    return load()
