import torch
from torch import nn

model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 8))
loss_fn = nn.BCEWithLogitsLoss()
x = torch.randn(16, 64)
y = torch.randint(0, 2, (16, 8)).float()
loss = loss_fn(model(x), y)
probs = torch.sigmoid(model(x))
