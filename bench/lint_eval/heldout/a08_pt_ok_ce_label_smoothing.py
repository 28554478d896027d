import torch
import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):
    def __init__(self, n=100):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(3, 64, 3), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.classifier = nn.Linear(64, n)

    def forward(self, x):
        return self.classifier(self.body(x))


net = Net()
for x, y in loader:
    logits = net(x)
    loss = F.cross_entropy(logits, y, label_smoothing=0.1)
    acc = (logits.argmax(dim=-1) == y).float().mean()
