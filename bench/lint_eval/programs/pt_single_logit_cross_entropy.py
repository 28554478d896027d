import torch
import torch.nn as nn

class FraudNet(nn.Module):
    def __init__(self, n_in):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(n_in, 64), nn.ReLU(), nn.Linear(64, 1))

    def forward(self, x):
        return self.net(x)

model = FraudNet(29)
loss_fn = nn.CrossEntropyLoss()
opt = torch.optim.Adam(model.parameters(), lr=3e-4)
for xb, yb in train_dl:
    loss = loss_fn(model(xb), yb)
    opt.zero_grad(); loss.backward(); opt.step()
