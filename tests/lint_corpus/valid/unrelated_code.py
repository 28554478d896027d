import re
import json

PATTERN = re.compile(r"\d+")


def parse(text):
    """Not a model: compile() and softmax in names only."""
    softmax_like = [int(m) for m in PATTERN.findall(text)]
    return json.dumps(softmax_like)
