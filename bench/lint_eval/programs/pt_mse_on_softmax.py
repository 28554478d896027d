import torch
import torch.nn as nn
import torch.nn.functional as F

model = nn.Sequential(nn.Linear(4, 10), nn.Tanh(), nn.Linear(10, 3), nn.Softmax(dim=1))
X = torch.rand(150, 4)
y = torch.randint(0, 3, (150,))
Y = F.one_hot(y, 3).float()
mse = nn.MSELoss()
opt = torch.optim.SGD(model.parameters(), lr=0.1)
for _ in range(1000):
    loss = mse(model(X), Y)
    opt.zero_grad()
    loss.backward()
    opt.step()
