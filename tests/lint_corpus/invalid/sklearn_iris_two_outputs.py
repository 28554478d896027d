# Iris has three species; the network was written for two.
import torch
import torch.nn as nn
from sklearn.datasets import load_iris
from sklearn.model_selection import train_test_split

iris = load_iris()  # expect: HC203
X_train, X_test, y_train, y_test = train_test_split(iris.data, iris.target, test_size=0.2)
X_train = torch.FloatTensor(X_train)
y_train = torch.LongTensor(y_train)


class IrisNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 16)
        self.fc2 = nn.Linear(16, 2)  # HC110 (3 classes, 2 outputs) folds into HC203

    def forward(self, x):
        return self.fc2(torch.relu(self.fc1(x)))


net = IrisNet()
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(net.parameters(), lr=0.01)
for epoch in range(100):
    optimizer.zero_grad()
    loss = criterion(net(X_train), y_train)
    loss.backward()
    optimizer.step()
