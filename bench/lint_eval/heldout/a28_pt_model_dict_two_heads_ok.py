import torch
from torch import nn


class MultiTask(nn.Module):
    def __init__(self):
        super().__init__()
        self.trunk = nn.Sequential(nn.Linear(64, 64), nn.ReLU())
        self.cls = nn.Linear(64, 5)
        self.reg = nn.Linear(64, 1)

    def forward(self, x):
        h = self.trunk(x)
        return self.cls(h), self.reg(h)


model = MultiTask()
ce, mse = nn.CrossEntropyLoss(), nn.MSELoss()
for x, y_cls, y_reg in loader:
    logits, value = model(x)
    loss = ce(logits, y_cls) + mse(value.squeeze(1), y_reg)
