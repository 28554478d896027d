import torch
import torch.nn.functional as F
from torch import nn

model = nn.Sequential(nn.Linear(12, 32), nn.ReLU(), nn.Linear(32, 4), nn.LogSoftmax(dim=1))
x = torch.randn(100, 12)
labels = torch.randint(0, 4, (100,))
targets = F.one_hot(labels, num_classes=4).float()
loss = nn.NLLLoss()(model(x), targets)
loss.backward()
