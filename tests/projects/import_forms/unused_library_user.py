from unused_library import ping_now


def handler(event, context):
    return ping_now()
