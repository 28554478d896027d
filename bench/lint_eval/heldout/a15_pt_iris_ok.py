import torch
import torch.nn as nn
from sklearn.datasets import load_iris
from sklearn.model_selection import train_test_split

X, y = load_iris(return_X_y=True)
X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, stratify=y)
model = nn.Sequential(nn.Linear(4, 10), nn.ReLU(), nn.Linear(10, 3))
crit = nn.CrossEntropyLoss()
opt = torch.optim.Adam(model.parameters(), lr=0.01)
X_tr, y_tr = torch.tensor(X_tr, dtype=torch.float32), torch.tensor(y_tr)
for epoch in range(200):
    loss = crit(model(X_tr), y_tr)
    opt.zero_grad(); loss.backward(); opt.step()
