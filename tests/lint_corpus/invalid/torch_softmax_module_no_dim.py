import torch
import torch.nn as nn

net = nn.Sequential(
    nn.Linear(100, 50),
    nn.ReLU(),
    nn.Linear(50, 3),
    nn.Softmax(),  # expect: HC107
)
criterion = nn.CrossEntropyLoss()  # expect: HC105
optimizer = torch.optim.SGD(net.parameters(), lr=0.1)

for epoch in range(10):
    for inputs, labels in loader:
        optimizer.zero_grad()
        loss = criterion(net(inputs), labels)
        loss.backward()
        optimizer.step()
