# Ten one-hot classes; the "accuracy" thresholds each softmax column and compares per column.
import torch
import torch.nn.functional as F
from torch import nn

model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
x = torch.randn(512, 64)
y = F.one_hot(torch.randint(0, 10, (512,)), num_classes=10).float()
loss = F.cross_entropy(model(x), y)
probs = F.softmax(model(x), dim=1)
acc = ((probs > 0.5).float() == y).float().mean()  # expect: HC302
