import pandas as pd
import torch
from torch import nn
from torch.utils.data import Dataset, DataLoader


class TabularDataset(Dataset):
    def __init__(self, path):
        df = pd.read_csv(path)
        self.x = torch.tensor(df.drop(columns=["label"]).values, dtype=torch.float32)
        self.y = torch.tensor(df["label"].values, dtype=torch.long)

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return self.x[i], self.y[i]


loader = DataLoader(TabularDataset("train.csv"), batch_size=128, shuffle=True)
model = nn.Sequential(nn.Linear(54, 128), nn.ReLU(), nn.Linear(128, 7))
criterion = nn.CrossEntropyLoss()
opt = torch.optim.Adam(model.parameters())
for xb, yb in loader:
    loss = criterion(model(xb), yb)
    opt.zero_grad()
    loss.backward()
    opt.step()
