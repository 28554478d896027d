import torch
from torch import nn

classifier = nn.Sequential(
    nn.Flatten(),
    nn.Linear(784, 256),
    nn.ReLU(),
    nn.Linear(256, 10),
    nn.Softmax(dim=0),  # expect: HC107
)

with torch.no_grad():
    probs = classifier(torch.randn(32, 1, 28, 28))
    print(probs.argmax(dim=1))
