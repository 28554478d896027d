# Probabilities taken with a method chain, then NLLLoss (which wants log-probabilities).
import torch
from torch import nn

net = nn.Sequential(nn.Linear(20, 32), nn.ReLU(), nn.Linear(32, 3))
nll = nn.NLLLoss()  # expect: HC106
opt = torch.optim.SGD(net.parameters(), lr=0.1)

x = torch.randn(256, 20)
y = torch.randint(0, 3, (256,))
for step in range(100):
    probs = net(x).softmax(-1)
    loss = nll(probs, y)
    opt.zero_grad()
    loss.backward()
    opt.step()
