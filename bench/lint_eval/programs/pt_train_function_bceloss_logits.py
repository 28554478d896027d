import torch
from torch import nn


def fit(model, loader, loss_fn, opt, epochs=10):
    for epoch in range(epochs):
        for xb, yb in loader:
            out = model(xb)
            loss = loss_fn(out, yb)
            opt.zero_grad()
            loss.backward()
            opt.step()


net = nn.Sequential(nn.Linear(100, 32), nn.ReLU(), nn.Linear(32, 1))
fit(net, train_loader, nn.BCELoss(), torch.optim.Adam(net.parameters()))
