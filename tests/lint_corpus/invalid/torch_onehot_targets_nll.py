import torch
import torch.nn as nn
import torch.nn.functional as F

model = nn.Sequential(nn.Linear(16, 32), nn.ReLU(), nn.Linear(32, 5), nn.LogSoftmax(dim=1))
criterion = nn.NLLLoss()  # expect: HC202

x = torch.randn(64, 16)
y = torch.randint(0, 5, (64,))
y_onehot = F.one_hot(y, num_classes=5).float()
loss = criterion(model(x), y_onehot)
