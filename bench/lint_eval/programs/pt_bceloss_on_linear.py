import torch
from torch import nn


class Net(nn.Module):
    def __init__(self, n_features):
        super(Net, self).__init__()
        self.layer1 = nn.Linear(n_features, 64)
        self.layer2 = nn.Linear(64, 1)

    def forward(self, x):
        x = torch.relu(self.layer1(x))
        return self.layer2(x)


net = Net(20)
loss_function = nn.BCELoss()
optimizer = torch.optim.SGD(net.parameters(), lr=0.01)
for X, y in dataloader:
    pred = net(X)
    loss = loss_function(pred, y.float().unsqueeze(1))
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
