import torch
from torch import nn
from sklearn.datasets import make_multilabel_classification

X, Y = make_multilabel_classification(n_samples=1000, n_classes=6)
X, Y = torch.tensor(X, dtype=torch.float32), torch.tensor(Y, dtype=torch.float32)
model = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Linear(64, 6))
criterion = nn.CrossEntropyLoss()
opt = torch.optim.Adam(model.parameters())
for epoch in range(100):
    loss = criterion(model(X), Y)
    opt.zero_grad(); loss.backward(); opt.step()
