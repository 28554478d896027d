import torch
import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(28 * 28, 200)
        self.fc2 = nn.Linear(200, 10)

    def forward(self, x):
        x = F.relu(self.fc1(x))
        x = self.fc2(x)
        return F.log_softmax(x)


net = Net()
criterion = nn.NLLLoss()
for batch_idx, (data, target) in enumerate(train_loader):
    data = data.view(-1, 28 * 28)
    net_out = net(data)
    loss = criterion(net_out, target)
