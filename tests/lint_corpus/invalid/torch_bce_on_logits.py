import torch
from torch import nn

model = nn.Sequential(
    nn.Linear(30, 64),
    nn.ReLU(),
    nn.Linear(64, 1),
)
loss_fn = nn.BCELoss()  # expect: HC104
opt = torch.optim.Adam(model.parameters(), lr=1e-3)

X = torch.randn(256, 30)
y = (torch.rand(256, 1) > 0.5).float()
for epoch in range(100):
    pred = model(X)
    loss = loss_fn(pred, y)
    opt.zero_grad()
    loss.backward()
    opt.step()
