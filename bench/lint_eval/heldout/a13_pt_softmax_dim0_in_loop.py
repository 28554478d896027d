import torch
from torch import nn

net = nn.Sequential(nn.Linear(10, 4))
opt = torch.optim.SGD(net.parameters(), lr=0.05)
for x, y in loader:
    probs = torch.softmax(net(x), dim=0)
    loss = nn.functional.nll_loss(torch.log(probs), y)
    opt.zero_grad(); loss.backward(); opt.step()
