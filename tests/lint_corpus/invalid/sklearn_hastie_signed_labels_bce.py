# make_hastie_10_2 labels are -1 / +1; binary cross-entropy needs 0 / 1.
import torch
from torch import nn
from sklearn.datasets import make_hastie_10_2

X, y = make_hastie_10_2(n_samples=4000, random_state=0)  # expect: HC203
X_t = torch.tensor(X, dtype=torch.float32)
y_t = torch.tensor(y, dtype=torch.float32).unsqueeze(1)

model = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 1))
loss_fn = nn.BCEWithLogitsLoss()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for epoch in range(50):
    opt.zero_grad()
    loss = loss_fn(model(X_t), y_t)
    loss.backward()
    opt.step()
