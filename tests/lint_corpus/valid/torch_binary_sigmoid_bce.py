import torch
import torch.nn as nn

model = nn.Sequential(nn.Linear(10, 16), nn.ReLU(), nn.Linear(16, 1), nn.Sigmoid())
criterion = nn.BCELoss()
out = model(torch.randn(4, 10))
loss = criterion(out, torch.ones(4, 1))
